package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Group-wide events: {@code broadcast} over HTTP, subscriptions over the WebSocket. {@code subscribe} returns once
 * the sidecar has acknowledged it ({@code subscribed}): from then on no broadcast sent anywhere in the group misses it.
 */
final class Events {
    private static final System.Logger LOG = System.getLogger(Events.class.getName());

    final Map<String, Set<Consumer<HubEvent>>> handlers = new ConcurrentHashMap<>();
    private final Transport transport;
    private final Executor executor;

    Events(Transport transport, Executor executor) {
        this.transport = transport;
        this.executor = executor;
    }

    /** The subscribe frames, for the transport's replay. */
    List<String> frames() {
        return handlers.keySet().stream().map(e -> transport.frame("op", "subscribe", "event", e)).toList();
    }

    CompletableFuture<Integer> broadcast(String event, Object data) {
        Rules.require(Rules.EVENT, "event", event);
        return transport.post(transport.request("/v1/events/" + Transport.segment(event),
                Duration.ofMillis(Rules.DEFAULT_TIMEOUT_MS)), data).thenApply(b -> b.path("delivered").asInt());
    }

    Subscription subscribe(String event, Consumer<HubEvent> handler) {
        Rules.require(Rules.EVENT, "event", event);
        transport.checkNotClosed();
        Set<Consumer<HubEvent>> set = handlers.computeIfAbsent(event, k -> new CopyOnWriteArraySet<>());
        boolean first = set.isEmpty();
        set.add(handler);
        Subscription subscription = () -> {
            set.remove(handler);
            if (set.isEmpty() && handlers.remove(event, set) && transport.isOpen()) {
                transport.sendAndAwait(transport.frame("op", "unsubscribe", "event", event), "unsubscribed:" + event);
            }
        };
        if (first) {
            try {
                transport.sendAndAwait(transport.frame("op", "subscribe", "event", event), "subscribed:" + event);
            } catch (RuntimeException e) {
                subscription.close(); // not subscribed: let the caller retry cleanly
                throw e;
            }
        }
        return subscription;
    }

    /** An {@code event} frame: every handler of it, on the executor. */
    void deliver(JsonNode f) {
        String event = f.path("event").asText();
        Set<Consumer<HubEvent>> set = handlers.get(event);
        if (set == null) {
            return;
        }
        JsonNode from = f.path("from");
        HubEvent e = new HubEvent(event, f.has("data") ? f.get("data") : NullNode.getInstance(),
                from.path("pod").asText(null), from.path("process").asText(null), transport.mapper);
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
}
