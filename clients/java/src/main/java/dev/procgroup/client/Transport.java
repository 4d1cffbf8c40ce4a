package dev.procgroup.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The two channels to the pod's sidecar: HTTP requests, and one WebSocket ({@code /v1/connect}) opened on first need
 * and reopened with backoff after the sidecar restarts. What the WebSocket carries is state the owner re-sends on
 * every open ({@code replay}); acknowledgements ({@code published}, {@code subscribed}, ...) settle waiting calls.
 */
final class Transport {

    private static final System.Logger LOG = System.getLogger(Transport.class.getName());
    private static final Duration RECONNECT_MIN = Duration.ofMillis(100);

    final ObjectMapper mapper;
    final String base;
    private final HubOptions options;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("procgroup-hub-reconnect"));
    private final Supplier<List<String>> replay;
    private final BooleanSupplier wanted;
    /** Every frame that is no acknowledgement, with the connection it came on. */
    private volatile BiConsumer<WebSocket, JsonNode> frames = (w, f) -> { };
    /** Pending acknowledgements, keyed "published:name", "subscribed:event", ... */
    private final Map<String, List<CompletableFuture<Void>>> acks = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    private WebSocket ws; // guarded by lock; null while disconnected
    private boolean connecting; // guarded by lock: a connect attempt or a scheduled reconnect is under way
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null); // guarded by lock
    private Duration reconnectDelay = RECONNECT_MIN; // guarded by lock
    private volatile boolean closed;

    Transport(HubOptions options, Supplier<List<String>> replay, BooleanSupplier wanted) {
        this.options = options;
        this.base = options.url().toString().replaceAll("/+$", "");
        this.mapper = options.mapper();
        // HTTP/1.1: the sidecar speaks it only, and the JDK's default h2c upgrade attempt would be wasted work.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        this.replay = replay;
        this.wanted = wanted;
    }

    void onFrame(BiConsumer<WebSocket, JsonNode> handler) {
        this.frames = handler;
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    }

    CompletableFuture<JsonNode> get(String path) {
        return send(request(path, Duration.ofMillis(Rules.DEFAULT_TIMEOUT_MS)).GET().build());
    }

    CompletableFuture<JsonNode> post(HttpRequest.Builder req, Object body) {
        return send(req.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json(body))).build());
    }

    private CompletableFuture<JsonNode> send(HttpRequest req) {
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((res, err) -> {
            if (err != null) {
                throw transportError(req, err);
            }
            JsonNode body;
            try {
                body = res.body().isEmpty() ? mapper.createObjectNode() : mapper.readTree(res.body());
            } catch (JsonProcessingException e) {
                throw HubException.hub("BadResponse", "the hub answered " + res.statusCode() + " with non-JSON", null, res.statusCode());
            }
            if (res.statusCode() / 100 == 2) {
                return body;
            }
            if (!body.path("error").isObject()) {
                throw HubException.hub("BadResponse", "the hub answered " + res.statusCode() + " without an error body", null, res.statusCode());
            }
            throw HubException.of(body.path("error"), res.statusCode());
        });
    }

    private HubException transportError(HttpRequest req, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof HttpTimeoutException) {
            return HubException.hub("Timeout", "the hub sidecar did not answer " + req.uri().getPath() + " in time", "CLIENT_TIMEOUT");
        }
        if (cause instanceof ConnectException) {
            return HubException.hub("HubUnavailable", "cannot reach the hub sidecar at " + base, "ECONNREFUSED");
        }
        return HubException.hub("HubUnavailable", "hub sidecar at " + base + ": " + cause, null);
    }

    // ------------------------------------------------------------------------------------------- WebSocket

    void checkNotClosed() {
        if (closed) {
            throw HubException.hub("Closed", "the hub client was closed", null);
        }
    }

    boolean isOpen() {
        synchronized (lock) {
            return ws != null;
        }
    }

    /** Sends {@code frame} (or connects, whose replay sends it) and waits for the acknowledgement {@code ackKey}. */
    void sendAndAwait(String frame, String ackKey) {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        acks.computeIfAbsent(ackKey, k -> new CopyOnWriteArrayList<>()).add(ack);
        send(frame);
        try {
            ack.get(options.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            acks.computeIfPresent(ackKey, (k, list) -> {
                list.remove(ack);
                return list.isEmpty() ? null : list;
            });
            throw HubException.hub("Timeout", "no answer from the hub to " + ackKey + " within " + options.ackTimeout(), "ACK_TIMEOUT");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HubException.hub("Interrupted", ackKey + " interrupted", null);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HubException h ? h : new CompletionException(e.getCause());
        }
    }

    /** Sends on the open connection, or starts connecting: the frame is implied by state and re-sent on open. */
    void send(String text) {
        synchronized (lock) {
            if (ws == null) {
                connectLocked();
                return;
            }
            sendLocked(ws, text);
        }
    }

    /** Answers on the connection that asked; if it closed, the hub already failed that call. */
    void reply(WebSocket w, String text) {
        synchronized (lock) {
            if (ws == w) {
                sendLocked(w, text);
            }
        }
    }

    /** The JDK WebSocket allows one outstanding send: chain them. */
    private void sendLocked(WebSocket w, String text) {
        sendChain = sendChain.handle((r, e) -> null).thenCompose(x -> w.sendText(text, true));
    }

    private void connectLocked() {
        if (closed || ws != null || connecting) {
            return;
        }
        connecting = true;
        URI uri = URI.create(base.replaceFirst("^http", "ws") + "/v1/connect");
        http.newWebSocketBuilder().buildAsync(uri, new Listener()).whenComplete((w, err) -> {
            if (err != null) {
                LOG.log(System.Logger.Level.DEBUG, "hub connect failed: " + err);
                onDisconnected(null);
            } else {
                onOpen(w);
            }
        });
    }

    private void onOpen(WebSocket w) {
        synchronized (lock) {
            if (closed) {
                w.abort();
                return;
            }
            ws = w;
            connecting = false;
            reconnectDelay = RECONNECT_MIN;
            // After a sidecar restart the new one knows nothing of this process.
            replay.get().forEach(f -> sendLocked(w, f));
        }
    }

    private void onDisconnected(WebSocket w) {
        synchronized (lock) {
            if (w != null && ws != w) {
                return; // an old connection
            }
            ws = null;
            connecting = false;
            if (closed || (!wanted.getAsBoolean() && acks.isEmpty())) {
                return;
            }
            connecting = true; // the scheduled reconnect counts as under way
            Duration delay = reconnectDelay;
            reconnectDelay = reconnectDelay.multipliedBy(2).compareTo(options.reconnectMax()) <= 0
                    ? reconnectDelay.multipliedBy(2) : options.reconnectMax();
            scheduler.schedule(() -> {
                synchronized (lock) {
                    connecting = false;
                    connectLocked();
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                try {
                    dispatch(w, mapper.readTree(frame));
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "bad frame from the hub: " + frame, e);
                }
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            onDisconnected(w);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            onDisconnected(w);
        }
    }

    private void dispatch(WebSocket w, JsonNode f) {
        String op = f.path("op").asText();
        switch (op) {
            case "published", "unpublished" -> settle(op + ":" + f.path("object").asText(), null);
            case "subscribed", "unsubscribed" -> settle(op + ":" + f.path("event").asText(), null);
            case "rejected" -> {
                JsonNode rf = f.path("frame");
                String rop = rf.path("op").asText();
                String key = switch (rop) {
                    case "publish", "unpublish" -> rop + "ed:" + rf.path("object").asText();
                    case "subscribe", "unsubscribe" -> rop + "d:" + rf.path("event").asText();
                    default -> null;
                };
                HubException e = HubException.hub("Rejected", "the hub rejected " + rf + ": " + f.path("reason").asText(), null);
                if (key == null || !settle(key, e)) {
                    LOG.log(System.Logger.Level.WARNING, e.getMessage());
                }
            }
            default -> frames.accept(w, f);
        }
    }

    private boolean settle(String key, HubException error) {
        List<CompletableFuture<Void>> list = acks.remove(key);
        if (list == null) {
            return false;
        }
        list.forEach(f -> {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        });
        return true;
    }

    /** Closes the WebSocket (the hub unpublishes everything of this process) and stops reconnecting. */
    void close() {
        closed = true;
        WebSocket w;
        synchronized (lock) {
            w = ws;
            ws = null;
        }
        HubException gone = HubException.hub("Closed", "the hub client was closed", null);
        acks.values().forEach(list -> list.forEach(f -> f.completeExceptionally(gone)));
        acks.clear();
        if (w != null) {
            try {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                w.abort();
            }
        }
        scheduler.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------ JSON

    String frame(Object... kv) {
        ObjectNode n = mapper.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            n.set((String) kv[i], mapper.valueToTree(kv[i + 1]));
        }
        return n.toString();
    }

    String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON-serialisable: " + e.getOriginalMessage(), e);
        }
    }

    /** Percent-encodes a path segment, keeping '$' (legal in paths and in hub names) as is. */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%24", "$");
    }

    /** Waits for a call, rethrowing a {@link HubException} as itself (not wrapped). */
    static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HubException.hub("Interrupted", "the call was interrupted", null);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new CompletionException(c);
        }
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
