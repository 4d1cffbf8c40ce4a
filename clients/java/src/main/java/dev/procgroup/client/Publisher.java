package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * What this process publishes, and the answers to the sidecar's {@code invoke} frames: an object's own methods and
 * the reserved ones Pandora's hub API needs (rules.json "pandora"): {@code $getProperty}, {@code $subscribe} /
 * {@code $unsubscribe} (object events, for {@link ObjectEvents}) and {@code $dispatch} (selector-routed actions).
 */
final class Publisher {

    /** Handles a {@code $dispatch}: an action sent through {@link SelectorClient}. */
    interface Actions {
        CompletableFuture<Object> dispatch(String action, JsonNode message, PublishedObject target);
    }

    final Map<String, PublishedObject> objects = new ConcurrentHashMap<>();
    private final Transport transport;
    private final Executor executor;
    private final int maxFrameBytes;
    private final Actions actions;
    private final BiFunction<String, Object, CompletableFuture<Integer>> broadcast;

    Publisher(Transport transport, Executor executor, int maxFrameBytes, Actions actions,
              BiFunction<String, Object, CompletableFuture<Integer>> broadcast) {
        this.transport = transport;
        this.executor = executor;
        this.maxFrameBytes = maxFrameBytes;
        this.actions = actions;
        this.broadcast = broadcast;
    }

    /** The publish frames, for the transport's replay. */
    List<String> frames() {
        return objects.values().stream().map(this::publishFrame).toList();
    }

    private String publishFrame(PublishedObject o) {
        return transport.frame("op", "publish", "object", o.name, "methods", o.methodNames(), "properties", o.propertyNames());
    }

    /** Returns once the hub has made {@code impl} visible to the group; throws if this process already publishes {@code id}. */
    void publish(String id, Object impl) {
        transport.checkNotClosed();
        Rules.require(Rules.OBJECT, "object", id);
        PublishedObject obj = new PublishedObject(id, impl);
        if (objects.putIfAbsent(id, obj) != null) {
            throw new IllegalStateException("object called " + id + " already exist"); // Pandora's message
        }
        try {
            transport.sendAndAwait(publishFrame(obj), "published:" + id);
        } catch (RuntimeException e) {
            objects.remove(id, obj);
            throw e;
        }
    }

    void unpublish(String id) {
        if (objects.remove(id) == null || !transport.isOpen()) {
            return; // nothing is published on a closed connection
        }
        transport.sendAndAwait(transport.frame("op", "unpublish", "object", id), "unpublished:" + id);
    }

    /** An {@code invoke} frame: run it on the executor, answer on the connection that asked. */
    void serve(WebSocket w, JsonNode f) {
        executor.execute(() -> {
            String id = f.path("id").asText();
            String object = f.path("object").asText();
            String method = f.path("method").asText();
            CompletableFuture<Object> answer;
            // The method runs with the frame's trace context current (or none: not what this thread ran before).
            try (TraceContext.Scope ignored = TraceContext.swap(traceContext(f))) {
                answer = call(object, method, f.path("args"));
            }
            answer.whenComplete((r, err) -> {
                String reply;
                try {
                    reply = err == null ? transport.frame("op", "result", "id", id, "result", transport.mapper.valueToTree(r))
                            : transport.frame("op", "error", "id", id, "error", PublishedObject.wireError(err));
                } catch (IllegalArgumentException e) { // the result is not JSON-serialisable
                    reply = transport.frame("op", "error", "id", id, "error", PublishedObject.wireError(e));
                }
                if (!fits(reply, maxFrameBytes)) {
                    // The sidecar would close the WebSocket (unpublishing everything) for one large answer.
                    reply = transport.frame("op", "error", "id", id, "error", PublishedObject.wireError(new HubException(
                            "PayloadTooLarge", "the result of " + object + "." + method + " is over the hub's "
                            + maxFrameBytes + "-byte frame limit", null)));
                }
                transport.reply(w, reply);
            });
        });
    }

    /** The invoke frame's trace context, or null (frames come from the sidecar, which validated it). */
    private static TraceContext traceContext(JsonNode frame) {
        JsonNode tp = frame.get("traceparent");
        if (tp == null || !tp.isTextual()) {
            return null;
        }
        JsonNode ts = frame.get("tracestate");
        return new TraceContext(tp.asText(), ts != null && ts.isTextual() ? ts.asText() : null);
    }

        private CompletableFuture<Object> call(String object, String method, JsonNode args) {
        PublishedObject o = objects.get(object);
        if (o == null) {
            return CompletableFuture.failedFuture(new HubException("ObjectNotFound", object + " is not published here", null));
        }
        String first = args.path(0).asText();
        try {
            if (method.equals(Rules.DISPATCH)) {
                return actions.dispatch(first, args.path(1), o);
            }
            if (method.equals(Rules.GET_PROPERTY)) {
                return CompletableFuture.completedFuture(o.property(first));
            }
            if (o.impl instanceof ObjectEvents events && method.equals(Rules.SUBSCRIBE)) {
                return CompletableFuture.completedFuture(subscribe(o, events, first));
            }
            if (o.impl instanceof ObjectEvents events && method.equals(Rules.UNSUBSCRIBE)) {
                return CompletableFuture.completedFuture(unsubscribe(o, events, first));
            }
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        return o.invoke(method, args, transport.mapper);
    }

    /** Pandora's host side of object events: the object's own subscribe once per register. */
    private synchronized boolean subscribe(PublishedObject o, ObjectEvents events, String register) throws Exception {
        PublishedObject.Registration r = o.registers.get(register);
        if (r != null) {
            o.registers.put(register, new PublishedObject.Registration(r.count() + 1, r.callback()));
            return true;
        }
        ObjectEvents.Callback cb = params -> broadcast.apply(o.name + Rules.OBJECT_EVENT_SUFFIX,
                Map.of("register", register, "params", List.of(params)));
        o.registers.put(register, new PublishedObject.Registration(1, cb));
        try {
            events.subscribe(register, cb);
        } catch (Exception e) {
            o.registers.remove(register);
            throw e;
        }
        return true;
    }

    private synchronized boolean unsubscribe(PublishedObject o, ObjectEvents events, String register) throws Exception {
        PublishedObject.Registration r = o.registers.get(register);
        if (r == null) {
            return true;
        }
        if (r.count() > 1) {
            o.registers.put(register, new PublishedObject.Registration(r.count() - 1, r.callback()));
            return true;
        }
        o.registers.remove(register);
        events.unsubscribe(register, r.callback());
        return true;
    }

    /** Whether {@code s} is at most {@code max} bytes in UTF-8; encodes it only when it might not be. */
    private static boolean fits(String s, int max) {
        return (long) s.length() * 3 <= max // UTF-8 takes at most 3 bytes per UTF-16 char
                || s.getBytes(StandardCharsets.UTF_8).length <= max;
    }
}
