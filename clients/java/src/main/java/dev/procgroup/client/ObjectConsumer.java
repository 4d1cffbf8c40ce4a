package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * Pandora's ObjectConsumer: calls, properties, object events and introspection of one remote object. Calls work
 * before {@link #introspect} (the object may be published later); {@link #getProxy} introspects first and so fails
 * at once with ObjectNotFound when nobody publishes it. A tagged description falls back to the untagged object, as
 * Pandora's provider-side lookup did.
 */
public final class ObjectConsumer {

    private final Hub hub;
    private final ObjectDescription description;
    private final CallOptions options;
    private volatile String target;
    /** Object events: register -> this process's listeners. */
    private final Map<String, Set<Consumer<List<JsonNode>>>> listeners = new ConcurrentHashMap<>();
    private Subscription objectEvents; // guarded by this

    ObjectConsumer(Hub hub, ObjectDescription description, CallOptions options) {
        this.hub = hub;
        this.description = description;
        this.options = options;
        this.target = description.id();
    }

    public ObjectDescription description() {
        return description;
    }

    com.fasterxml.jackson.databind.ObjectMapper hubMapper() {
        return hub.transport.mapper;
    }

    /** The hub object the calls go to (the untagged one after a tag fell back). */
    public String target() {
        return target;
    }

    public <T> T invoke(String method, Class<T> resultType, Object... params) {
        return hub.transport.mapper.convertValue(Transport.join(invokeAsync(method, params)), resultType);
    }

    public CompletableFuture<JsonNode> invokeAsync(String method, Object... params) {
        return hub.invokeAsync(target, method, options, params);
    }

    /** A published field of the remote object (Pandora's getProperty); null when it has none of that name. */
    public <T> T getProperty(String name, Class<T> type) {
        return invoke(Rules.GET_PROPERTY, type, name);
    }

    public Introspection introspect() {
        try {
            return Introspection.of(hub.describe(target));
        } catch (HubException e) {
            if (description.tag() == null || !"ObjectNotFound".equals(e.name()) || target.equals(description.name())) {
                throw e;
            }
            Introspection untagged = Introspection.of(hub.describe(description.name()));
            target = description.name();
            return untagged;
        }
    }

    /** The introspected proxy: fails with ObjectNotFound, or MethodNotFound when {@code iface} wants an unpublished method. */
    public <T> T getProxy(Class<T> iface) {
        return Proxies.create(this, iface, introspect());
    }

    /**
     * Pandora's object events: {@code fn} gets the params of every {@code callback.emit(params...)} the host object's
     * {@link ObjectEvents#subscribe} received, from every provider. Closing the subscription removes {@code fn}; the
     * host's unsubscribe runs when the last listener of the register in the group leaves.
     */
    public synchronized Subscription subscribe(String register, Consumer<List<JsonNode>> fn) {
        Set<Consumer<List<JsonNode>>> set = listeners.computeIfAbsent(register, k -> new CopyOnWriteArraySet<>());
        boolean first = set.isEmpty();
        set.add(fn);
        Subscription subscription = () -> remove(register, fn);
        try {
            if (objectEvents == null) {
                objectEvents = hub.subscribe(target + Rules.OBJECT_EVENT_SUFFIX, this::onObjectEvent);
            }
            if (first) {
                everyProvider(Rules.SUBSCRIBE, register);
            }
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
        }
        return subscription;
    }

    /** Removes every listener of {@code register} (Pandora's {@code unsubscribe(register)}). */
    public synchronized void unsubscribe(String register) {
        Set<Consumer<List<JsonNode>>> set = listeners.get(register);
        if (set != null) {
            new ArrayList<>(set).forEach(fn -> remove(register, fn));
        }
    }

    private synchronized void remove(String register, Consumer<List<JsonNode>> fn) {
        Set<Consumer<List<JsonNode>>> set = listeners.get(register);
        if (set == null || !set.remove(fn) || !set.isEmpty()) {
            return;
        }
        listeners.remove(register);
        everyProvider(Rules.UNSUBSCRIBE, register);
        if (listeners.isEmpty() && objectEvents != null) {
            objectEvents.close();
            objectEvents = null;
        }
    }

    private void onObjectEvent(HubEvent e) {
        Set<Consumer<List<JsonNode>>> set = listeners.get(e.data().path("register").asText());
        if (set == null) {
            return;
        }
        List<JsonNode> params = new ArrayList<>();
        e.data().path("params").forEach(params::add);
        set.forEach(fn -> fn.accept(List.copyOf(params)));
    }

    /** Every provider, so that events from any of them arrive; fails only if none took it. */
    private void everyProvider(String method, String register) {
        List<Hub.ProviderReply> replies = Transport.join(hub.invokeAll(target, method, options, register));
        if (!replies.isEmpty() && replies.stream().allMatch(r -> r.error() != null)) {
            throw replies.get(0).error();
        }
    }
}
