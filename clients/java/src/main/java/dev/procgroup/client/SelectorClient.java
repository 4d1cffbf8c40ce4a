package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * Pandora's HubClient ({@code hub.getHubClient()}): messages routed by selector to processes. {@code objectName}
 * (+ {@code objectTag}) picks the processes publishing that object, {@code processName} a process, {@code clientId}
 * a pod (one app process per pod), {@code appName} must be this group. A message reaches a process's
 * {@link #on(String, Consumer)} handlers, or is answered for Pandora's {@code echo}, {@code OBJECT_ACTION_INVOKE} and
 * {@code OBJECT_ACTION_GET_PROPERTY}. A process listening to actions publishes the reserved object {@code $hubClient}.
 */
public final class SelectorClient {

    /** Pandora's selector; null fields match anything. There is no pid: pids mean nothing across pods. */
    public record Selector(String objectName, String objectTag, String processName, String clientId, String appName) {
        public static Selector any() { return new Selector(null, null, null, null, null); }

        public static Selector object(String name) { return any().withObject(name, null); }

        public Selector withObject(String name, String tag) { return new Selector(name, tag, processName, clientId, appName); }

        public Selector withProcessName(String p) { return new Selector(objectName, objectTag, p, clientId, appName); }

        public Selector withClientId(String pod) { return new Selector(objectName, objectTag, processName, pod, appName); }

        public Selector withAppName(String a) { return new Selector(objectName, objectTag, processName, clientId, a); }
    }

    /** Pandora's Location: the group, the process and the pod. */
    public record Location(String appName, String processName, String clientId) {}

    /** What a handler receives: the action, the sender's data and location, the whole message as sent. */
    public record Message(String action, JsonNode data, Location host, JsonNode raw) {}

    /** Pandora's ReplyPackage: {@code data} on success, {@code error} otherwise, and who answered. */
    public record Reply(boolean success, JsonNode data, HubException error, Location host) {}

    private static final String OBJECT_ACTION_INVOKE = "OBJECT_ACTION_INVOKE";
    private static final String OBJECT_ACTION_GET_PROPERTY = "OBJECT_ACTION_GET_PROPERTY";

    private final Hub hub;
    private final Map<String, Set<Consumer<Message>>> handlers = new ConcurrentHashMap<>();
    private volatile boolean listening;

    SelectorClient(Hub hub) {
        this.hub = hub;
    }

    /** Makes this process reachable by selectors without objectName; returns once the group can see it. */
    public synchronized void start() {
        if (!listening) {
            hub.publisher.publish(Rules.CLIENT_OBJECT, new Object());
            listening = true;
        }
    }

    public Location getLocation() {
        HubContext c = hub.location();
        return new Location(c.group(), c.process(), c.pod());
    }

    /** Calls {@code handler} for every message of {@code action} sent to this process; starts listening. */
    public Subscription on(String action, Consumer<Message> handler) {
        handlers.computeIfAbsent(action, k -> new CopyOnWriteArraySet<>()).add(handler);
        start();
        return () -> handlers.getOrDefault(action, Set.of()).remove(handler);
    }

    /** One matching process (local first, else round-robin) answers; nobody matching is {@code success == false}. */
    public Reply invoke(Selector selector, String action, Object data, Duration timeout) {
        Call call = call(selector, action, data, timeout);
        if (call == null) {
            return noClients(selector);
        }
        try {
            return answer(Transport.join(hub.invokeAsync(call.object, Rules.DISPATCH, call.options, action, call.message)));
        } catch (HubException e) {
            if ("Timeout".equals(e.name()) || "HubUnavailable".equals(e.name())) {
                throw e;
            }
            return new Reply(false, null, e, null);
        }
    }

    /** Every matching process answers, failures included; empty when nobody matches. */
    public List<Reply> multipleInvoke(Selector selector, String action, Object data, Duration timeout) {
        Call call = call(selector, action, data, timeout);
        if (call == null) {
            return List.of();
        }
        List<Hub.ProviderReply> replies;
        try {
            replies = Transport.join(hub.invokeAll(call.object, Rules.DISPATCH, call.options, action, call.message));
        } catch (HubException e) {
            if ("ObjectNotFound".equals(e.name())) {
                return List.of();
            }
            throw e;
        }
        List<Reply> out = new ArrayList<>();
        for (Hub.ProviderReply r : replies) {
            out.add(r.error() != null ? new Reply(false, null, r.error(), new Location(null, r.process(), r.pod())) : answer(r.result()));
        }
        return out;
    }

    /** As invoke, without waiting for the answer. */
    public void send(Selector selector, String action, Object data) {
        CompletableFuture.runAsync(() -> invoke(selector, action, data, null), hub.executor);
    }

    /** As multipleInvoke, without waiting for the answers. */
    public void multipleSend(Selector selector, String action, Object data) {
        CompletableFuture.runAsync(() -> multipleInvoke(selector, action, data, null), hub.executor);
    }

    /** Withdraws every object of this process the selector matches (all of them for {@link Selector#any()}). */
    public List<String> unpublish(Selector selector) {
        List<String> done = new ArrayList<>();
        String id = selector.objectName() == null ? null : ObjectDescription.of(selector.objectName(), selector.objectTag()).id();
        for (String name : new ArrayList<>(hub.publisher.objects.keySet())) {
            if (!name.equals(Rules.CLIENT_OBJECT) && (id == null || id.equals(name))) {
                hub.publisher.unpublish(name);
                done.add(name);
            }
        }
        return done;
    }

    /** A {@code $dispatch} that reached this process: answered as {@code {host, data}}. */
    CompletableFuture<Object> dispatch(String action, JsonNode message, PublishedObject target) {
        Map<String, Object> host = locationMap(getLocation());
        if ("echo".equals(action)) {
            return CompletableFuture.completedFuture(Map.of("host", host, "data", Map.of("echo", message)));
        }
        String property = message.path("propertyName").asText();
        if (OBJECT_ACTION_INVOKE.equals(action) && target.hasMethod(property)) {
            return target.invoke(property, message.path("data"), hub.transport.mapper)
                    .thenApply(r -> reply(host, r));
        }
        if (OBJECT_ACTION_GET_PROPERTY.equals(action)) {
            return CompletableFuture.completedFuture(reply(host, target.property(property)));
        }
        JsonNode from = message.path("host");
        Message m = new Message(action, message.path("data"), new Location(from.path("appName").asText(null),
                from.path("processName").asText(null), from.path("clientId").asText(null)), message);
        handlers.getOrDefault(action, Set.of()).forEach(h -> h.accept(m));
        return CompletableFuture.completedFuture(reply(host, null));
    }

    private record Call(String object, ObjectNode message, CallOptions options) {}

    private Call call(Selector selector, String action, Object data, Duration timeout) {
        if (action == null || action.isEmpty()) {
            throw new IllegalArgumentException("action must be a non-empty string");
        }
        Location here = getLocation();
        if (selector.appName() != null && !selector.appName().equals(here.appName())) {
            return null; // one group is one Pandora app
        }
        String object = selector.objectName() == null ? Rules.CLIENT_OBJECT
                : ObjectDescription.of(selector.objectName(), selector.objectTag()).id();
        var mapper = hub.transport.mapper;
        ObjectNode message = mapper.createObjectNode();
        message.set("data", mapper.valueToTree(data));
        message.put("action", action);
        message.set("remote", mapper.valueToTree(selector));
        message.set("host", mapper.valueToTree(locationMap(here)));
        return new Call(object, message, new CallOptions(timeout, selector.processName(), selector.clientId()));
    }

    private static Map<String, Object> reply(Map<String, Object> host, Object data) {
        Map<String, Object> r = new java.util.HashMap<>();
        r.put("host", host);
        r.put("data", data);
        return r;
    }

    private static Map<String, Object> locationMap(Location l) {
        Map<String, Object> m = new java.util.HashMap<>();
        m.put("appName", l.appName());
        m.put("processName", l.processName());
        m.put("clientId", l.clientId());
        return m;
    }

    private static Reply answer(JsonNode result) {
        JsonNode h = result.path("host");
        return new Reply(true, result.path("data"), null,
                new Location(h.path("appName").asText(null), h.path("processName").asText(null), h.path("clientId").asText(null)));
    }

    private static Reply noClients(Selector selector) {
        return new Reply(false, null, HubException.hub("ObjectNotFound", "Cannot found any clients by selector: " + selector, null), null);
    }
}
