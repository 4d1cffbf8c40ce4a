package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * One process's hub (Pandora's {@code getHub()} facade) through its pod's sidecar (sidecar/PROTOCOL.md): publishing,
 * proxies and consumers, the selector-routed {@link SelectorClient}, group events and the pod's context. Calls are
 * plain HTTP; publishing and subscribing share one WebSocket, opened on first need and reopened after the sidecar
 * restarts. Thread-safe; one per process is enough.
 */
public final class Hub implements AutoCloseable {

    // The sidecar answers 504 itself at the deadline; the client gives up this much later, so a dead or wedged
    // sidecar cannot hang a caller.
    private static final Duration CLIENT_GRACE = Duration.ofSeconds(2);

    /** One provider's answer to a fan-out call: its result, or its error. */
    public record ProviderReply(String pod, String process, JsonNode result, HubException error) {}

    final Transport transport;
    final Publisher publisher;
    final Executor executor;
    private final ExecutorService ownExecutor;
    private final Events events;
    private final SelectorClient selectorClient;
    private volatile HubContext here;

    private Hub(HubOptions options) {
        if (options.executor() == null) {
            this.ownExecutor = Executors.newCachedThreadPool(Transport.daemon("procgroup-hub-worker"));
            this.executor = ownExecutor;
        } else {
            this.ownExecutor = null;
            this.executor = options.executor();
        }
        this.transport = new Transport(options, this::replay, this::wantsConnection);
        this.events = new Events(transport, executor);
        this.selectorClient = new SelectorClient(this);
        this.publisher = new Publisher(transport, executor, options.maxFrameBytes(), selectorClient::dispatch,
                events::broadcast);
        transport.onFrame((w, f) -> {
            switch (f.path("op").asText()) {
                case "invoke" -> publisher.serve(w, f);
                case "event" -> events.deliver(f);
                default -> System.getLogger(Hub.class.getName()).log(System.Logger.Level.WARNING, "unknown frame from the hub: " + f);
            }
        });
    }

    /** A hub of the sidecar at {@code PROCGROUP_HUB_URL} (default http://127.0.0.1:7070). No I/O yet. */
    public static Hub connect() {
        return connect(HubOptions.defaults());
    }

    public static Hub connect(String url) {
        return connect(HubOptions.defaults().withUrl(URI.create(url)));
    }

    public static Hub connect(HubOptions options) {
        return new Hub(options);
    }

    private List<String> replay() {
        List<String> frames = new ArrayList<>(publisher.frames());
        frames.addAll(events.frames());
        return frames;
    }

    private boolean wantsConnection() {
        return !publisher.objects.isEmpty() || !events.handlers.isEmpty();
    }

    // ------------------------------------------------------------------------------------ Pandora's facade

    /** Pandora's {@code getHub().publish(impl, desc)}: returns once the group can see it. */
    public void publish(Object impl, ObjectDescription desc) {
        publisher.publish(desc.id(), impl);
    }

    /**
     * Publishes {@code impl}'s public instance methods (and its public fields as properties) under {@code name};
     * returns once the group can see it. Calls run on the options' executor; a method may return a CompletionStage.
     *
     * @throws IllegalStateException if this process already publishes {@code name} (as Pandora)
     */
    public void publishObject(String name, Object impl) {
        publisher.publish(name, impl);
    }

    public void unpublish(String name) {
        publisher.unpublish(name);
    }

    public void unpublish(ObjectDescription desc) {
        publisher.unpublish(desc.id());
    }

    /** Pandora's getConsumer. */
    public ObjectConsumer getConsumer(ObjectDescription desc, CallOptions options) {
        return new ObjectConsumer(this, desc, options);
    }

    /**
     * Pandora's getProxy: introspects first, so it fails at once with ObjectNotFound when nothing publishes the object,
     * and with MethodNotFound when {@code iface} declares a method the object does not publish.
     */
    public <T> T getProxy(String name, Class<T> iface) {
        return getProxy(ObjectDescription.of(name), iface, CallOptions.defaults());
    }

    public <T> T getProxy(String name, Class<T> iface, CallOptions options) {
        return getProxy(ObjectDescription.of(name), iface, options);
    }

    public <T> T getProxy(ObjectDescription desc, Class<T> iface, CallOptions options) {
        return getConsumer(desc, options).getProxy(iface);
    }

    /** A proxy that does not introspect: the object may be published later (processes start in any order). */
    public <T> T lateProxy(String name, Class<T> iface, CallOptions options) {
        return Proxies.create(getConsumer(ObjectDescription.of(name), options), iface, null);
    }

    /** Pandora's selector-routed HubClient. */
    public SelectorClient getHubClient() {
        return selectorClient;
    }

    // ---------------------------------------------------------------------------------------- calls (HTTP)

    /** Calls {@code object.method(args...)} and converts the result; blocks. */
    public <T> T invoke(String object, String method, Class<T> resultType, Object... args) {
        return transport.mapper.convertValue(Transport.join(invokeAsync(object, method, CallOptions.defaults(), args)), resultType);
    }

    /** Calls {@code object.method(args...)}; completes with the JSON result or a {@link HubException}. */
    public CompletableFuture<JsonNode> invokeAsync(String object, String method, CallOptions options, Object... args) {
        return transport.post(call(object, method, options), Arrays.asList(args))
                .thenApply(body -> body.has("result") ? body.get("result") : NullNode.getInstance());
    }

    /** Every provider's answer ({@code Procgroup-Fanout: all}); fails only when nobody publishes the method. */
    public CompletableFuture<List<ProviderReply>> invokeAll(String object, String method, CallOptions options, Object... args) {
        return transport.post(call(object, method, options).header("Procgroup-Fanout", "all"), Arrays.asList(args))
                .thenApply(body -> {
                    List<ProviderReply> out = new ArrayList<>();
                    for (JsonNode r : body.path("replies")) {
                        out.add(new ProviderReply(r.path("pod").asText(), r.path("process").asText(), r.path("result"),
                                r.has("error") ? HubException.of(r.get("error"), 0) : null));
                    }
                    return out;
                });
    }

    private HttpRequest.Builder call(String object, String method, CallOptions options) {
        HttpRequest.Builder req = transport.request("/v1/invoke/" + Transport.segment(object) + "/" + Transport.segment(method),
                options.effectiveTimeout().plus(CLIENT_GRACE));
        if (options.timeout() != null) {
            req.header("Procgroup-Timeout-Ms", Long.toString(options.timeout().toMillis()));
        }
        if (options.process() != null) {
            req.header("Procgroup-Process", options.process());
        }
        if (options.pod() != null) {
            req.header("Procgroup-Pod", options.pod());
        }
        TraceContext trace = TraceContext.current();
        if (trace != null) {
            req.header("traceparent", trace.traceparent());
            if (trace.tracestate() != null) {
                req.header("tracestate", trace.tracestate());
            }
        }
        return req;
    }

    /** One object as the group sees it ({@code GET /v1/objects/{name}}): methods, properties, providers. */
    public JsonNode describe(String object) {
        return Transport.join(transport.get("/v1/objects/" + Transport.segment(object)));
    }

    /** What the group publishes ({@code GET /v1/objects}, the {@code objects} array). */
    public JsonNode objects() {
        return Transport.join(transport.get("/v1/objects")).path("objects");
    }

    /** This process's identity, from {@code GET /v1/context}, filled from the env where the sidecar is silent. */
    public HubContext context() {
        JsonNode c = Transport.join(transport.get("/v1/context"));
        return new HubContext(text(c, "group", "PROCGROUP_GROUP"), text(c, "process", "PROCGROUP_PROCESS"),
                text(c, "namespace", "PROCGROUP_NAMESPACE"), text(c, "pod", "PROCGROUP_POD_NAME"), text(c, "podIP", null));
    }

    /** The context, asked once. */
    HubContext location() {
        HubContext c = here;
        if (c == null) {
            here = c = context();
        }
        return c;
    }

    private static String text(JsonNode c, String field, String env) {
        if (c.hasNonNull(field)) {
            return c.get(field).asText();
        }
        return env == null ? null : System.getenv(env);
    }

    // -------------------------------------------------------------------------------------- group events

    /** Delivers {@code data} to every subscriber of {@code event} in the group; returns how many were reached. */
    public int broadcast(String event, Object data) {
        return Transport.join(events.broadcast(event, data));
    }

    /**
     * Calls {@code handler} (on the options' executor) for every {@code event} broadcast in the group. Returns once
     * the sidecar has acknowledged the subscription.
     */
    public Subscription subscribe(String event, Consumer<HubEvent> handler) {
        return events.subscribe(event, handler);
    }

    /** Closes the WebSocket (the hub unpublishes everything this process published) and stops reconnecting. */
    @Override
    public void close() {
        transport.close();
        publisher.objects.clear();
        events.handlers.clear();
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }
}
