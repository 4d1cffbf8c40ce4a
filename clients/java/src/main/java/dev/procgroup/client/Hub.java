package dev.procgroup.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One process's client of its pod's hub sidecar (sidecar/PROTOCOL.md): Pandora's {@code publishObject} /
 * {@code getProxy} plus events, for JVM apps.
 *
 * <p>Calls ({@link #getProxy}, {@link #invoke}, {@link #broadcast}, {@link #context}) are plain HTTP. Publishing
 * and subscribing share one WebSocket ({@code /v1/connect}), opened on first need and reopened with backoff
 * after the sidecar restarts, re-sending every publish and subscribe. Thread-safe; one per process is enough.
 */
public final class Hub implements AutoCloseable {

    static final Pattern OBJECT_NAME = Pattern.compile("^[A-Za-z_$][A-Za-z0-9_$.-]{0,127}$");
    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    // The sidecar answers 504 itself at the deadline; the client gives up this much later, so a dead or wedged
    // sidecar cannot hang a caller.
    private static final Duration CLIENT_GRACE = Duration.ofSeconds(2);
    private static final Duration RECONNECT_MIN = Duration.ofMillis(100);

    private final HubOptions options;
    private final String base;
    private final ObjectMapper mapper;
    private final HttpClient http;
    private final Executor executor;
    private final ExecutorService ownExecutor;
    private final ScheduledExecutorService scheduler;

    private final Map<String, PublishedObject> objects = new ConcurrentHashMap<>();
    private final Map<String, Set<Consumer<HubEvent>>> handlers = new ConcurrentHashMap<>();
    /** Pending acknowledgements, keyed "published:name" / "unpublished:name". */
    private final Map<String, List<CompletableFuture<Void>>> acks = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    private WebSocket ws; // guarded by lock; null while disconnected
    private boolean connecting; // guarded by lock: a connect attempt or a scheduled reconnect is under way
    private CompletableFuture<Void> opened = new CompletableFuture<>(); // guarded by lock; replaced per connection
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null); // guarded by lock
    private Duration reconnectDelay = RECONNECT_MIN; // guarded by lock
    private volatile boolean closed;

    private Hub(HubOptions options) {
        this.options = options;
        this.base = options.url().toString().replaceAll("/+$", "");
        this.mapper = options.mapper();
        // HTTP/1.1: the sidecar speaks it only, and the JDK's default h2c upgrade attempt would be wasted work.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        if (options.executor() == null) {
            this.ownExecutor = Executors.newCachedThreadPool(daemon("procgroup-hub-worker"));
            this.executor = ownExecutor;
        } else {
            this.ownExecutor = null;
            this.executor = options.executor();
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("procgroup-hub-reconnect"));
    }

    /** A client of the sidecar at {@code PROCGROUP_HUB_URL} (default http://127.0.0.1:7070). No I/O yet. */
    public static Hub connect() {
        return connect(HubOptions.defaults());
    }

    public static Hub connect(String url) {
        return connect(HubOptions.defaults().withUrl(URI.create(url)));
    }

    public static Hub connect(HubOptions options) {
        return new Hub(options);
    }

    // ------------------------------------------------------------------------------------------- calls (HTTP)

    /**
     * A dynamic proxy of {@code iface} whose methods call {@code name} wherever it is published in the group.
     * Methods returning {@link CompletableFuture} / {@link CompletionStage} are asynchronous; others block and
     * throw {@link HubException}. Default methods run locally. The object need not be published yet.
     */
    public <T> T getProxy(String name, Class<T> iface) {
        return getProxy(name, iface, CallOptions.defaults());
    }

    public <T> T getProxy(String name, Class<T> iface, CallOptions callOptions) {
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface + " is not an interface");
        }
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "HubProxy[" + name + "]";
                };
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            CompletableFuture<JsonNode> call = invokeAsync(name, method.getName(), callOptions,
                    args == null ? new Object[0] : args);
            Class<?> raw = method.getReturnType();
            if (raw == CompletableFuture.class || raw == CompletionStage.class || raw == Future.class) {
                JavaType type = typeArgument(method.getGenericReturnType());
                return call.thenApply(node -> convert(node, type));
            }
            JsonNode result = join(call);
            return raw == void.class ? null : convert(result, mapper.getTypeFactory().constructType(method.getGenericReturnType()));
        };
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler));
    }

    /** Calls {@code object.method(args...)} and converts the result; blocks. */
    public <T> T invoke(String object, String method, Class<T> resultType, Object... args) {
        return convert(join(invokeAsync(object, method, CallOptions.defaults(), args)),
                mapper.getTypeFactory().constructType(resultType));
    }

    /** Calls {@code object.method(args...)}; completes with the JSON result or a {@link HubException}. */
    public CompletableFuture<JsonNode> invokeAsync(String object, String method, CallOptions callOptions, Object... args) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/v1/invoke/" + segment(object) + "/" + segment(method)))
                .timeout(callOptions.effectiveTimeout().plus(CLIENT_GRACE))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(Arrays.asList(args))));
        if (callOptions.timeout() != null) {
            req.header("Procgroup-Timeout-Ms", Long.toString(callOptions.timeout().toMillis()));
        }
        if (callOptions.process() != null) {
            req.header("Procgroup-Process", callOptions.process());
        }
        return send(req.build()).thenApply(body -> body.has("result") ? body.get("result") : NullNode.getInstance());
    }

    /** Delivers {@code data} to every subscriber of {@code event} in the group; returns how many were reached. */
    public int broadcast(String event, Object data) {
        checkEvent(event);
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/events/" + segment(event)))
                .timeout(CallOptions.HUB_DEFAULT_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(data)))
                .build();
        return join(send(req)).path("delivered").asInt();
    }

    /** This process's identity, from {@code GET /v1/context}, filled from the env where the sidecar is silent. */
    public HubContext context() {
        JsonNode c = join(send(HttpRequest.newBuilder(URI.create(base + "/v1/context"))
                .timeout(CallOptions.HUB_DEFAULT_TIMEOUT).GET().build()));
        return new HubContext(text(c, "group", "PROCGROUP_GROUP"), text(c, "process", "PROCGROUP_PROCESS"),
                text(c, "namespace", "PROCGROUP_NAMESPACE"), text(c, "pod", "PROCGROUP_POD_NAME"), text(c, "podIP", null));
    }

    /** What the group publishes ({@code GET /v1/objects}, the {@code objects} array). */
    public JsonNode objects() {
        return join(send(HttpRequest.newBuilder(URI.create(base + "/v1/objects"))
                .timeout(CallOptions.HUB_DEFAULT_TIMEOUT).GET().build())).path("objects");
    }

    private CompletableFuture<JsonNode> send(HttpRequest req) {
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .handle((res, err) -> {
                    if (err != null) {
                        throw transportError(req, err);
                    }
                    JsonNode body;
                    try {
                        body = res.body().isEmpty() ? mapper.createObjectNode() : mapper.readTree(res.body());
                    } catch (JsonProcessingException e) {
                        throw new HubException("BadResponse", "the hub answered " + res.statusCode() + " with non-JSON", null, HubException.Source.HUB, res.statusCode());
                    }
                    if (res.statusCode() / 100 == 2) {
                        return body;
                    }
                    JsonNode e = body.path("error");
                    if (!e.isObject()) {
                        throw new HubException("BadResponse", "the hub answered " + res.statusCode() + " without an error body", null, HubException.Source.HUB, res.statusCode());
                    }
                    HubException.Source source = "remote".equals(e.path("source").asText())
                            ? HubException.Source.REMOTE : HubException.Source.HUB;
                    throw new HubException(e.path("name").asText("Error"), e.path("message").asText(""),
                            e.hasNonNull("code") ? e.get("code").asText() : null, source, res.statusCode());
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

    // ------------------------------------------------------------------------------- publishing (WebSocket)

    /**
     * Publishes {@code impl}'s public instance methods under {@code name}; returns once the hub has made it
     * visible to the group. Calls run on the options' executor; a method may return a {@link CompletionStage}.
     *
     * @throws IllegalStateException if this process already publishes {@code name} (as Pandora)
     */
    public void publishObject(String name, Object impl) {
        checkNotClosed();
        if (name == null || !OBJECT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid object name '" + name + "' (hub names match " + OBJECT_NAME + ")");
        }
        PublishedObject obj = new PublishedObject(name, impl);
        if (objects.putIfAbsent(name, obj) != null) {
            throw new IllegalStateException("object called " + name + " already exist");
        }
        String key = "published:" + name;
        CompletableFuture<Void> ack = expectAck(key);
        sendFrame(publishFrame(obj));
        try {
            await(ack, key);
        } catch (RuntimeException e) {
            objects.remove(name, obj);
            throw e;
        }
    }

    /** Withdraws an object this process published. */
    public void unpublish(String name) {
        if (objects.remove(name) == null || !isOpen()) {
            return; // nothing is published on a closed connection
        }
        String key = "unpublished:" + name;
        CompletableFuture<Void> ack = expectAck(key);
        sendFrame(frame("op", "unpublish", "object", name));
        await(ack, key);
    }

    /**
     * Calls {@code handler} (on the options' executor) for every {@code event} broadcast in the group. Returns
     * once the subscription is sent to the sidecar (the protocol does not acknowledge it).
     */
    public Subscription subscribe(String event, Consumer<HubEvent> handler) {
        checkEvent(event);
        checkNotClosed();
        Set<Consumer<HubEvent>> set = handlers.computeIfAbsent(event, k -> new CopyOnWriteArraySet<>());
        boolean first = set.isEmpty();
        set.add(handler);
        Subscription subscription = () -> {
            set.remove(handler);
            if (set.isEmpty() && handlers.remove(event, set) && isOpen()) {
                sendFrame(frame("op", "unsubscribe", "event", event));
            }
        };
        if (first) {
            CompletableFuture<Void> open;
            synchronized (lock) {
                open = opened;
            }
            sendFrame(frame("op", "subscribe", "event", event)); // or connect: onOpen sends every subscription
            try {
                await(open, null);
            } catch (RuntimeException e) {
                subscription.close(); // not subscribed: let the caller retry cleanly
                throw e;
            }
        }
        return subscription;
    }

    /** Closes the WebSocket (the hub unpublishes everything this process published) and stops reconnecting. */
    @Override
    public void close() {
        closed = true;
        WebSocket w;
        synchronized (lock) {
            w = ws;
            ws = null;
        }
        HubException gone = HubException.hub("Closed", "the hub client was closed", null);
        synchronized (lock) {
            opened.completeExceptionally(gone);
        }
        acks.values().forEach(list -> list.forEach(f -> f.completeExceptionally(gone)));
        acks.clear();
        objects.clear();
        handlers.clear();
        if (w != null) {
            try {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                w.abort();
            }
        }
        scheduler.shutdownNow();
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    private void checkNotClosed() {
        if (closed) {
            throw HubException.hub("Closed", "the hub client was closed", null);
        }
    }

    private boolean isOpen() {
        synchronized (lock) {
            return ws != null;
        }
    }

    /** Sends on the open connection, or starts connecting: the frame is implied by state and re-sent on open. */
    private void sendFrame(String text) {
        synchronized (lock) {
            if (ws == null) {
                connectLocked();
                return;
            }
            sendLocked(ws, text);
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
        CompletableFuture<Void> done;
        synchronized (lock) {
            if (closed) {
                w.abort();
                return;
            }
            ws = w;
            connecting = false;
            reconnectDelay = RECONNECT_MIN;
            // Re-publish and re-subscribe: after a sidecar restart the new one knows nothing of this process.
            objects.values().forEach(o -> sendLocked(w, publishFrame(o)));
            handlers.keySet().forEach(e -> sendLocked(w, frame("op", "subscribe", "event", e)));
            done = opened;
        }
        done.complete(null);
    }

    private void onDisconnected(WebSocket w) {
        synchronized (lock) {
            if (w != null && ws != w) {
                return; // an old connection
            }
            if (w != null) { // an open connection closed (a failed connect attempt leaves `opened` pending)
                ws = null;
                opened = new CompletableFuture<>();
            }
            connecting = false;
            if (closed || (objects.isEmpty() && handlers.isEmpty() && acks.isEmpty())) {
                return;
            }
            connecting = true; // the scheduled reconnect counts as under way
            Duration delay = reconnectDelay;
            reconnectDelay = min(reconnectDelay.multipliedBy(2), options.reconnectMax());
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
                    onFrame(w, mapper.readTree(frame));
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

    private void onFrame(WebSocket w, JsonNode f) {
        String op = f.path("op").asText();
        switch (op) {
            case "invoke" -> executor.execute(() -> serve(w, f));
            case "event" -> deliver(f);
            case "published", "unpublished" -> settle(op + ":" + f.path("object").asText(), null);
            case "rejected" -> {
                JsonNode rf = f.path("frame");
                String rop = rf.path("op").asText();
                String object = rf.path("object").asText();
                HubException e = HubException.hub("Rejected", "the hub rejected " + rf + ": " + f.path("reason").asText(), null);
                if (rop.equals("publish") || rop.equals("unpublish")) {
                    if (rop.equals("publish")) {
                        objects.remove(object);
                    }
                    settle(rop + "ed:" + object, e);
                } else {
                    LOG.log(System.Logger.Level.WARNING, e.getMessage());
                }
            }
            default -> LOG.log(System.Logger.Level.WARNING, "unknown frame from the hub: " + f);
        }
    }

    private void serve(WebSocket w, JsonNode f) {
        String id = f.path("id").asText();
        PublishedObject obj = objects.get(f.path("object").asText());
        CompletableFuture<Object> result = obj == null
                ? CompletableFuture.failedFuture(new HubException("ObjectNotFound", f.path("object").asText() + " is not published here", null))
                : obj.invoke(f.path("method").asText(), f.path("args"), mapper);
        result.whenComplete((r, err) -> {
            String reply;
            try {
                reply = err == null ? frame("op", "result", "id", id, "result", mapper.valueToTree(r))
                        : frame("op", "error", "id", id, "error", PublishedObject.wireError(err));
            } catch (IllegalArgumentException e) { // the result is not JSON-serialisable
                reply = frame("op", "error", "id", id, "error", PublishedObject.wireError(e));
            }
            if (!fits(reply, options.maxFrameBytes())) {
                reply = frame("op", "error", "id", id, "error", PublishedObject.wireError(new HubException("PayloadTooLarge",
                        "the result of " + f.path("object").asText() + "." + f.path("method").asText()
                                + " is over the hub's " + options.maxFrameBytes() + "-byte frame limit", null)));
            }
            synchronized (lock) {
                // The answer goes back on the connection that asked; if it closed, the hub already failed the call.
                if (ws == w) {
                    sendLocked(w, reply);
                }
            }
        });
    }

    private void deliver(JsonNode f) {
        String event = f.path("event").asText();
        Set<Consumer<HubEvent>> set = handlers.get(event);
        if (set == null) {
            return;
        }
        JsonNode from = f.path("from");
        HubEvent e = new HubEvent(event, f.has("data") ? f.get("data") : NullNode.getInstance(),
                from.path("pod").asText(null), from.path("process").asText(null), mapper);
        for (Consumer<HubEvent> h : set) {
            executor.execute(() -> {
                try {
                    h.accept(e);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "subscriber of " + event + " threw", ex);
                }
            });
        }
    }

    private CompletableFuture<Void> expectAck(String key) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        acks.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(f);
        return f;
    }

    private void settle(String key, HubException error) {
        List<CompletableFuture<Void>> list = acks.remove(key);
        if (list != null) {
            list.forEach(f -> {
                if (error == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(error);
                }
            });
        }
    }

    /** Waits for an acknowledgement ({@code ackKey}) or, with a null key, for the connection to open. */
    private void await(CompletableFuture<Void> f, String ackKey) {
        String what = ackKey == null ? "connect to " + base : ackKey;
        try {
            f.get(options.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (ackKey != null) {
                acks.computeIfPresent(ackKey, (k, list) -> {
                    list.remove(f);
                    return list.isEmpty() ? null : list;
                });
            }
            throw HubException.hub("Timeout", "no answer from the hub to " + what + " within " + options.ackTimeout(), "ACK_TIMEOUT");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HubException.hub("Interrupted", what + " interrupted", null);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HubException h ? h : new CompletionException(e.getCause());
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private String publishFrame(PublishedObject o) {
        return frame("op", "publish", "object", o.name, "methods", o.methodNames());
    }

    private String frame(Object... kv) {
        ObjectNode n = mapper.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            n.set((String) kv[i], mapper.valueToTree(kv[i + 1]));
        }
        return n.toString();
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON-serialisable: " + e.getOriginalMessage(), e);
        }
    }

    private <T> T convert(JsonNode node, JavaType type) {
        return mapper.convertValue(node, type);
    }

    private JavaType typeArgument(Type futureType) {
        Type arg = futureType instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        return mapper.getTypeFactory().constructType(arg);
    }

    /** Waits for a call, rethrowing a {@link HubException} as itself (not wrapped). */
    private static <T> T join(Future<T> f) {
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

    /** The sidecar names events like objects (e.g. cache.flush); a bad one would only come back as an async "rejected". */
    private static void checkEvent(String event) {
        if (event == null || !OBJECT_NAME.matcher(event).matches()) {
            throw new IllegalArgumentException("invalid event name '" + event + "' (hub event names match " + OBJECT_NAME + ")");
        }
    }

    private static String text(JsonNode c, String field, String env) {
        if (c.hasNonNull(field)) {
            return c.get(field).asText();
        }
        return env == null ? null : System.getenv(env);
    }

    /** Percent-encodes a path segment, keeping '$' (legal in paths and in hub names) as is. */
    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%24", "$");
    }

    /** Whether {@code s} is at most {@code max} bytes in UTF-8; encodes it only when it might not be. */
    private static boolean fits(String s, int max) {
        return (long) s.length() * 3 <= max // UTF-8 takes at most 3 bytes per UTF-16 char
                || s.getBytes(StandardCharsets.UTF_8).length <= max;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
