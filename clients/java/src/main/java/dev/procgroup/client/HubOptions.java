package dev.procgroup.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * How {@link Hub#connect(HubOptions)} connects. Every field has a default; use the withers.
 *
 * @param url the sidecar, default {@code PROCGROUP_HUB_URL} or http://127.0.0.1:7070
 * @param ackTimeout how long publish/unpublish/subscribe wait for the hub's acknowledgement
 * @param reconnectMax the longest pause between reconnect attempts (they start at 100 ms and double)
 * @param mapper JSON mapping of arguments, results and events
 * @param executor runs published methods and event handlers (default: a cached pool of daemon threads)
 * @param maxFrameBytes a result frame larger than this fails its call with PayloadTooLarge instead of being sent:
 *     the sidecar would close the WebSocket, unpublishing everything. Match its PROCGROUP_MAX_BODY_BYTES (1 MiB)
 */
public record HubOptions(URI url, Duration ackTimeout, Duration reconnectMax, ObjectMapper mapper, Executor executor,
        int maxFrameBytes) {

    public static final String DEFAULT_URL = "http://127.0.0.1:7070";

    public static HubOptions defaults() {
        String env = System.getenv("PROCGROUP_HUB_URL");
        return new HubOptions(URI.create(env == null || env.isBlank() ? DEFAULT_URL : env),
                Duration.ofSeconds(10), Duration.ofSeconds(2), new ObjectMapper(), null, Rules.MAX_BODY_BYTES);
    }

    public HubOptions withUrl(URI u) { return new HubOptions(u, ackTimeout, reconnectMax, mapper, executor, maxFrameBytes); }

    public HubOptions withAckTimeout(Duration d) { return new HubOptions(url, d, reconnectMax, mapper, executor, maxFrameBytes); }

    public HubOptions withReconnectMax(Duration d) { return new HubOptions(url, ackTimeout, d, mapper, executor, maxFrameBytes); }

    public HubOptions withMapper(ObjectMapper m) { return new HubOptions(url, ackTimeout, reconnectMax, m, executor, maxFrameBytes); }

    public HubOptions withExecutor(Executor e) { return new HubOptions(url, ackTimeout, reconnectMax, mapper, e, maxFrameBytes); }

    public HubOptions withMaxFrameBytes(int n) { return new HubOptions(url, ackTimeout, reconnectMax, mapper, executor, n); }
}
