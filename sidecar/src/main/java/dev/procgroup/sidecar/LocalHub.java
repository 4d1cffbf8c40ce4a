package dev.procgroup.sidecar;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The publishers connected to this sidecar (one WebSocket per app process): handles their frames, sends them
 * {@code invoke} and {@code event} frames and matches answers to pending calls. Runs on the event loop only.
 */
final class LocalHub {

  /** Told when this pod's set of published objects changed (to push an announce to the peers). */
  interface Listener {
    /** Completes once the peers were told (or could not be): the publish acknowledgement waits for it. */
    Future<Void> localObjectsChanged();
  }

  private final Map<Long, PublisherConnection> connections = new LinkedHashMap<>();
  private final Timers timers;
  private final HubMetrics metrics;
  private Listener listener = Future::succeededFuture;
  private DeclaredServices services = DeclaredServices.NONE;
  private String ownProcess = "";
  private long nextConnectionId;

  LocalHub(Timers timers, HubMetrics metrics) {
    this.timers = timers;
    this.metrics = metrics;
  }

  void listener(Listener l) {
    this.listener = l;
  }

  /** The group's spec.services, enforced on this pod's publishes: {@code process} is this pod's. */
  void services(DeclaredServices declared, String process) {
    this.services = declared;
    this.ownProcess = process;
  }

  PublisherConnection open(FrameSink sink) {
    PublisherConnection c = new PublisherConnection(++nextConnectionId, sink);
    connections.put(c.id, c);
    metrics.publishersConnected(connections.size());
    return c;
  }

  /** The connection went away: unpublish everything at once and fail its pending calls with ProviderGone. */
  void close(PublisherConnection c) {
    if (c.closed) return;
    c.closed = true;
    connections.remove(c.id);
    boolean hadObjects = !c.objects.isEmpty();
    c.objects.clear();
    c.properties.clear();
    c.subscriptions.clear();
    failPending(c, HubError.providerGone("the publisher disconnected while the call was pending"));
    metrics.publishersConnected(connections.size());
    metrics.publishedObjects(publishedObjectCount());
    if (hadObjects) listener.localObjectsChanged();
  }

  private void failPending(PublisherConnection c, HubError error) {
    List<PublisherConnection.PendingCall> calls = new ArrayList<>(c.pending.values());
    c.pending.clear();
    for (PublisherConnection.PendingCall call : calls) {
      timers.cancel(call.timerId);
      call.promise.tryFail(error);
    }
  }

  /** Handles one text frame; malformed frames are answered with {@code rejected}, the connection stays. */
  void onFrame(PublisherConnection c, String text) {
    // The frame of nearly every call: its result goes on as text, never decoded (JsonScan).
    JsonScan.Result result = JsonScan.result(text);
    if (result != null) {
      settle(c, result.id(), call -> call.promise.tryComplete(result.resultJson()));
      return;
    }
    JsonObject frame;
    try {
      Object parsed = Json.decodeValue(text);
      if (!(parsed instanceof JsonObject o)) {
        reject(c, "frame is not a JSON object", null);
        return;
      }
      frame = o;
    } catch (DecodeException e) {
      reject(c, "frame is not valid JSON", null);
      return;
    }
    String op = frame.getValue("op") instanceof String s ? s : null;
    if (op == null) {
      reject(c, "frame has no op", frame);
      return;
    }
    switch (op) {
      case "publish" -> publish(c, frame);
      case "unpublish" -> unpublish(c, frame);
      case "result", "error" -> answer(c, op, frame);
      case "subscribe", "unsubscribe" -> subscription(c, op, frame);
      default -> reject(c, "unknown op '" + Names.abbreviate(op) + "'", frame);
    }
  }

  void reject(PublisherConnection c, String reason, JsonObject frame) {
    metrics.badRequest("ws", "rejected_frame");
    JsonObject r = new JsonObject().put("op", "rejected").put("reason", reason);
    if (frame != null) r.put("frame", frame);
    c.send(r);
  }

  private void publish(PublisherConnection c, JsonObject frame) {
    String object = frame.getValue("object") instanceof String s ? s : null;
    if (!Names.validObject(object)) {
      reject(c, "publish needs a valid object name", frame);
      return;
    }
    if (!(frame.getValue("methods") instanceof JsonArray methodsJson)) {
      reject(c, "publish needs methods: an array of method names", frame);
      return;
    }
    String refusal = services.refusal(object, ownProcess);
    if (refusal != null) {
      reject(c, refusal, frame);
      return;
    }
    List<String> methods = memberNames(c, frame, methodsJson, "method");
    if (methods == null) return;
    Object propertiesJson = frame.getValue("properties");
    if (propertiesJson != null && !(propertiesJson instanceof JsonArray)) {
      reject(c, "publish properties must be an array of property names", frame);
      return;
    }
    List<String> properties = propertiesJson == null ? List.of() : memberNames(c, frame, (JsonArray) propertiesJson,
        "property");
    if (properties == null) return;
    c.objects.put(object, methods);
    if (properties.isEmpty()) c.properties.remove(object); else c.properties.put(object, properties);
    metrics.publishedObjects(publishedObjectCount());
    // Acknowledge once the peers know: "published" means the object is visible to the group.
    listener.localObjectsChanged().onComplete(ar -> {
      if (!c.closed) c.send(new JsonObject().put("op", "published").put("object", object));
    });
  }

  /** The distinct names of a publish frame's methods or properties (the method rule); null once rejected. */
  private List<String> memberNames(PublisherConnection c, JsonObject frame, JsonArray names, String kind) {
    List<String> out = new ArrayList<>(names.size());
    for (Object m : names) {
      if (!(m instanceof String ms) || !Names.validMethod(ms)) {
        reject(c, "bad " + kind + " name in publish: " + Names.abbreviate(String.valueOf(m)), frame);
        return null;
      }
      if (!out.contains(ms)) out.add(ms);
    }
    return List.copyOf(out);
  }

  private void unpublish(PublisherConnection c, JsonObject frame) {
    String object = frame.getValue("object") instanceof String s ? s : null;
    if (!Names.validObject(object)) {
      reject(c, "unpublish needs a valid object name", frame);
      return;
    }
    boolean had = c.objects.remove(object) != null;
    c.properties.remove(object);
    metrics.publishedObjects(publishedObjectCount());
    Future<Void> told = had ? listener.localObjectsChanged() : Future.succeededFuture();
    told.onComplete(ar -> {
      if (!c.closed) c.send(new JsonObject().put("op", "unpublished").put("object", object));
    });
  }

  private void answer(PublisherConnection c, String op, JsonObject frame) {
    Object idValue = frame.getValue("id");
    String id = idValue instanceof String s ? s : idValue instanceof Number n ? n.toString() : null;
    if (id == null) {
      reject(c, op + " needs the id of the invoke it answers", frame);
      return;
    }
    if ("result".equals(op)) {
      settle(c, id, call -> call.promise.tryComplete(Json.encode(frame.getValue("result"))));
    } else {
      Object err = frame.getValue("error");
      settle(c, id, call -> call.promise.tryFail(HubError.remote(err instanceof JsonObject e ? e : null)));
    }
  }

  /** The answer to call {@code id}: settles it, or counts it as late when the call timed out already. */
  private void settle(PublisherConnection c, String id, Consumer<PublisherConnection.PendingCall> how) {
    PublisherConnection.PendingCall call = c.pending.remove(id);
    if (call == null) {
      // Answers after the call timed out are normal and dropped quietly (counted).
      metrics.lateAnswer();
      return;
    }
    timers.cancel(call.timerId);
    how.accept(call);
  }

  private void subscription(PublisherConnection c, String op, JsonObject frame) {
    String event = frame.getValue("event") instanceof String s ? s : null;
    if (!Names.validEvent(event)) {
      reject(c, op + " needs a valid event name", frame);
      return;
    }
    if ("subscribe".equals(op)) c.subscriptions.add(event); else c.subscriptions.remove(event);
    metrics.subscriptions(subscriptionCount());
    // In force for this pod (a broadcast reaches a pod's subscribers through its own sidecar), so from now on no
    // event sent anywhere in the group misses it.
    c.send(new JsonObject().put("op", op + "d").put("event", event));
  }

  /** Connections that publish {@code object}, in connection order (stable for round-robin). */
  List<PublisherConnection> providersOf(String object) {
    List<PublisherConnection> out = new ArrayList<>(2);
    for (PublisherConnection c : connections.values()) {
      if (c.objects.containsKey(object)) out.add(c);
    }
    return out;
  }

  /**
   * Sends an {@code invoke} frame to {@code c}. {@code argsJson} is an already validated JSON array; it is
   * spliced in as is. Succeeds with the result as JSON text.
   */
  Future<String> invoke(PublisherConnection c, String object, String method, Buffer argsJson, long timeoutMs) {
    return invoke(c, object, method, argsJson, timeoutMs, null);
  }

  /** As above; {@code trace} (null: none) goes in the frame as {@code traceparent} and {@code tracestate}. */
  Future<String> invoke(PublisherConnection c, String object, String method, Buffer argsJson, long timeoutMs,
                        TraceContext trace) {
    if (c.closed) return Future.failedFuture(HubError.providerGone("the publisher disconnected"));
    Promise<String> promise = Promise.promise();
    String id = c.nextCallId();
    PublisherConnection.PendingCall call = new PublisherConnection.PendingCall(object, promise);
    c.pending.put(id, call);
    call.timerId = timers.set(timeoutMs, () -> {
      if (c.pending.remove(id) != null) promise.tryFail(HubError.timeout(timeoutMs));
    });
    JsonText text = JsonText.object().string("op", "invoke").string("id", id).string("object", object)
        .string("method", method).raw("args", argsJson.toString()).number("timeoutMs", timeoutMs);
    if (trace != null) {
      text.string(TraceContext.TRACEPARENT, trace.traceparent());
      if (trace.tracestate() != null) text.string(TraceContext.TRACESTATE, trace.tracestate());
    }
    String frame = text.toString();
    c.sink.send(frame);
    return promise.future();
  }

  /** Delivers an event to this pod's subscribers; returns how many connections it reached. */
  int deliverEvent(String event, String dataJson, JsonObject from) {
    String frame = null;
    int reached = 0;
    for (PublisherConnection c : connections.values()) {
      if (!c.subscriptions.contains(event)) continue;
      if (frame == null) {
        frame = JsonText.object().string("op", "event").string("event", event).raw("data", dataJson)
            .raw("from", from.encode()).toString();
      }
      c.sink.send(frame);
      reached++;
    }
    metrics.eventsDelivered(reached);
    return reached;
  }

  /** This pod's objects with the union of their methods over all local publishers, sorted by name. */
  JsonArray objectsJson() {
    Map<String, List<String>> merged = new TreeMap<>();
    Map<String, List<String>> properties = new TreeMap<>();
    for (PublisherConnection c : connections.values()) {
      for (Map.Entry<String, List<String>> e : c.objects.entrySet()) {
        union(merged, e.getKey(), e.getValue());
        union(properties, e.getKey(), c.properties.getOrDefault(e.getKey(), List.of()));
      }
    }
    JsonArray out = new JsonArray();
    merged.forEach((name, methods) -> {
      JsonObject o = new JsonObject().put("name", name).put("methods", new JsonArray(methods));
      List<String> props = properties.get(name);
      if (!props.isEmpty()) o.put("properties", new JsonArray(props)); // omitted when empty: older peers ignore it
      out.add(o);
    });
    return out;
  }

  static void union(Map<String, List<String>> into, String name, List<?> names) {
    List<String> list = into.computeIfAbsent(name, k -> new ArrayList<>());
    for (Object m : names) if (!list.contains((String) m)) list.add((String) m);
  }

  int publishedObjectCount() {
    int n = 0;
    for (PublisherConnection c : connections.values()) n += c.objects.size();
    return n;
  }

  int subscriptionCount() {
    int n = 0;
    for (PublisherConnection c : connections.values()) n += c.subscriptions.size();
    return n;
  }

  int connectionCount() {
    return connections.size();
  }

  /** On shutdown: close every app connection (pending calls fail with ProviderGone). */
  void closeAll() {
    for (Iterator<PublisherConnection> it = new ArrayList<>(connections.values()).iterator(); it.hasNext(); ) {
      PublisherConnection c = it.next();
      c.sink.close((short) 1001, "sidecar stopping");
      close(c);
    }
  }
}
