package dev.procgroup.client;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-pod stand-in for the sidecar's app-facing API (PROTOCOL.md), for unit tests only. The acceptance tests
 * (*IT) run against the real sidecar.
 */
final class StubHub implements AutoCloseable {
    private static final Pattern INVOKE = Pattern.compile("^/v1/invoke/([^/]+)/([^/]+)$");
    private static final Pattern EVENT = Pattern.compile("^/v1/events/([^/]+)$");

    record Provider(ServerWebSocket ws, List<String> methods) {}

    record Pending(HttpServerRequest req, long timer, ServerWebSocket ws) {}

    final Map<String, Provider> providers = new ConcurrentHashMap<>();
    final Map<String, Set<ServerWebSocket>> subscribers = new ConcurrentHashMap<>();
    final Map<String, Pending> pending = new ConcurrentHashMap<>();
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    final Set<String> rejectNames = ConcurrentHashMap.newKeySet();
    volatile HttpServerRequest lastRequest;
    private final AtomicLong ids = new AtomicLong();
    private final Vertx vertx;
    private HttpServer server;
    int port;

    StubHub(Vertx vertx) {
        this.vertx = vertx;
    }

    StubHub start(int wantedPort) throws Exception {
        server = vertx.createHttpServer()
                .webSocketHandler(this::ws)
                .requestHandler(req -> req.body().onSuccess(b -> http(req, b.toString())));
        server.listen(wantedPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        port = server.actualPort();
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Stops like a crashed sidecar: the server and every connection go away. */
    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get();
        providers.clear();
        subscribers.clear();
    }

    private void ws(ServerWebSocket ws) {
        if (!ws.path().equals("/v1/connect")) {
            ws.close();
            return;
        }
        ws.textMessageHandler(text -> {
            JsonObject f = new JsonObject(text);
            frames.add(f);
            String object = f.getString("object");
            switch (f.getString("op")) {
                case "publish" -> {
                    if (rejectNames.contains(object)) {
                        ws.writeTextMessage(new JsonObject().put("op", "rejected").put("reason", "refused by the test").put("frame", f).encode());
                        return;
                    }
                    providers.put(object, new Provider(ws, f.getJsonArray("methods").getList()));
                    ws.writeTextMessage(new JsonObject().put("op", "published").put("object", object).encode());
                }
                case "unpublish" -> {
                    providers.remove(object);
                    ws.writeTextMessage(new JsonObject().put("op", "unpublished").put("object", object).encode());
                }
                case "subscribe" -> subscribers.computeIfAbsent(f.getString("event"), k -> ConcurrentHashMap.newKeySet()).add(ws);
                case "unsubscribe" -> subscribers.getOrDefault(f.getString("event"), Set.of()).remove(ws);
                case "result", "error" -> {
                    Pending p = pending.remove(f.getString("id"));
                    if (p == null) {
                        return;
                    }
                    vertx.cancelTimer(p.timer());
                    if (f.getString("op").equals("result")) {
                        reply(p.req(), 200, new JsonObject().put("result", f.getValue("result")));
                    } else {
                        p.req().response().putHeader("Procgroup-Error", "remote");
                        reply(p.req(), 500, new JsonObject().put("error", f.getJsonObject("error").copy().put("source", "remote")));
                    }
                }
                default -> ws.writeTextMessage(new JsonObject().put("op", "rejected").put("reason", "unknown op").put("frame", f).encode());
            }
        });
        ws.closeHandler(v -> {
            providers.values().removeIf(p -> p.ws() == ws);
            subscribers.values().forEach(s -> s.remove(ws));
            pending.forEach((id, p) -> {
                if (p.ws() == ws && pending.remove(id, p)) {
                    vertx.cancelTimer(p.timer());
                    reply(p.req(), 502, hubError("ProviderGone", "the provider disconnected"));
                }
            });
        });
    }

    private void http(HttpServerRequest req, String body) {
        lastRequest = req;
        String path = req.path();
        Matcher m = INVOKE.matcher(path);
        if (req.method().name().equals("POST") && m.matches()) {
            String object = m.group(1);
            String method = m.group(2);
            JsonArray args;
            try {
                args = new JsonArray(body);
            } catch (RuntimeException e) {
                reply(req, 400, hubError("BadRequest", "args must be a JSON array"));
                return;
            }
            Provider p = providers.get(object);
            if (p == null) {
                reply(req, 404, hubError("ObjectNotFound", "no provider of " + object));
                return;
            }
            if (!p.methods().contains(method)) {
                reply(req, 404, hubError("MethodNotFound", object + " has no " + method));
                return;
            }
            String t = req.getHeader("Procgroup-Timeout-Ms");
            long timeoutMs = t == null ? 30000 : Long.parseLong(t);
            String id = Long.toString(ids.incrementAndGet());
            long timer = vertx.setTimer(timeoutMs, x -> {
                if (pending.remove(id) != null) {
                    reply(req, 504, hubError("Timeout", "no answer within " + timeoutMs + " ms"));
                }
            });
            pending.put(id, new Pending(req, timer, p.ws()));
            p.ws().writeTextMessage(new JsonObject().put("op", "invoke").put("id", id).put("object", object)
                    .put("method", method).put("args", args).put("timeoutMs", timeoutMs).encode());
            return;
        }
        Matcher e = EVENT.matcher(path);
        if (req.method().name().equals("POST") && e.matches()) {
            Set<ServerWebSocket> subs = subscribers.getOrDefault(e.group(1), Set.of());
            Object data = body.isBlank() ? null : new JsonArray("[" + body + "]").getValue(0);
            String frame = new JsonObject().put("op", "event").put("event", e.group(1)).put("data", data)
                    .put("from", new JsonObject().put("pod", "stub-pod").put("process", "stub")).encode();
            subs.forEach(ws -> ws.writeTextMessage(frame));
            reply(req, 202, new JsonObject().put("delivered", subs.size()));
            return;
        }
        if (path.equals("/v1/context")) {
            reply(req, 200, new JsonObject().put("group", "shop").put("process", "web").put("namespace", "default")
                    .put("pod", "shop-web-1").put("podIP", "10.0.0.7"));
            return;
        }
        reply(req, 404, hubError("NotFound", path));
    }

    private static JsonObject hubError(String name, String message) {
        return new JsonObject().put("error", new JsonObject().put("name", name).put("message", message)
                .putNull("code").put("source", "hub"));
    }

    private static void reply(HttpServerRequest req, int status, JsonObject body) {
        if (req.response().ended() || req.response().closed()) {
            return;
        }
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
