package dev.procgroup.sidecar;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The hub of one pod: routes calls to a local publisher or a peer sidecar, keeps the peer table current from
 * discovery and announces, fans out events. Everything runs on the sidecar's single event loop.
 */
final class Hub implements LocalHub.Listener, Discovery.Listener {

  private static final Logger LOG = System.getLogger(Hub.class.getName());
  /** A peer that was callable but whose objects could not be fetched yet is retried this often. */
  static final long FETCH_RETRY_MS = 1000;

  final SidecarConfig config;
  final LocalHub local;
  final HubMetrics metrics;
  private final PeerTransport transport;
  private final Timers timers;
  private final ProviderSelector selector = new ProviderSelector();
  /** Sorted by pod name so round-robin order is stable. */
  private final Map<String, Peer> peers = new TreeMap<>();
  private final JsonObject from;
  private long revision = System.currentTimeMillis() * 1000;
  private boolean synced;
  private final Promise<Void> firstView = Promise.promise();
  /** Spans of the calls through this sidecar; {@link Tracing#OFF} unless an OTLP endpoint is set (Sidecar). */
  Tracing tracing = Tracing.OFF;

  Hub(SidecarConfig config, LocalHub local, HubMetrics metrics, PeerTransport transport, Timers timers) {
    this.config = config;
    this.local = local;
    this.metrics = metrics;
    this.transport = transport;
    this.timers = timers;
    this.from = new JsonObject().put("pod", config.podName).put("process", config.process);
    local.listener(this);
    local.services(config.declaredServices, config.process);
  }

  // ---- calls ------------------------------------------------------------------------------------------------

  /** An app's call: any provider in the group (within {@code pin}, null for any). Succeeds with {@code {"result":...}}. */
  Future<Buffer> invoke(String object, String method, Buffer args, long timeoutMs, ProviderSelector.Pin pin) {
    return invoke(object, method, args, timeoutMs, pin, null, null);
  }

  /**
   * As above, the caller's trace context {@code trace} (null: none) handed on to the provider, or {@code span}'s
   * when this sidecar records the call (ended here, with the route, the provider's pod and the outcome).
   */
  Future<Buffer> invoke(String object, String method, Buffer args, long timeoutMs, ProviderSelector.Pin pin,
                        TraceContext trace, Tracing.Span span) {
    long start = System.nanoTime();
    TraceContext forward = Tracing.forward(span, trace);
    ProviderSelector.Choice choice;
    try {
      choice = selector.select(object, method, pin == null ? ProviderSelector.Pin.NONE : pin, config.process,
          config.podName, local.providersOf(object), peers.values());
    } catch (HubError e) {
      metrics.call(object, method, "none", e.outcome(), seconds(start));
      tracing.end(span, "none", e.outcome());
      return Future.failedFuture(e);
    }
    Future<Buffer> answer;
    String route;
    if (choice instanceof ProviderSelector.Local l) {
      route = "local";
      if (span != null) span.peerPod = config.podName;
      answer = invokeLocal(l.connection(), object, method, args, timeoutMs, "local", forward);
    } else {
      route = "remote";
      Peer peer = ((ProviderSelector.Remote) choice).peer();
      if (span != null) span.peerPod = peer.pod;
      answer = invokeRemote(peer, object, method, args, timeoutMs, false, forward);
    }
    return answer.andThen(ar -> {
      String outcome = ar.succeeded() ? "ok" : outcome(ar.cause());
      metrics.call(object, method, route, outcome, seconds(start));
      tracing.end(span, route, outcome);
    });
  }

  /** A peer's call: only this pod's publishers may serve it. */
  Future<Buffer> invokeFromPeer(String object, String method, Buffer args, long timeoutMs, TraceContext trace,
                                Tracing.Span span) {
    try {
      ProviderSelector.Choice choice = selector.select(object, method, null, config.process,
          local.providersOf(object), List.of());
      return invokeLocal(((ProviderSelector.Local) choice).connection(), object, method, args, timeoutMs, "peer",
          Tracing.forward(span, trace)).andThen(ar -> tracing.end(span, "peer", ar.succeeded() ? "ok" : outcome(ar.cause())));
    } catch (HubError e) {
      tracing.end(span, "peer", e.outcome());
      return Future.failedFuture(e);
    }
  }

  /**
   * An app's fan-out call ({@code Procgroup-Fanout: all}, Pandora's multipleInvoke): every provider within {@code pin}
   * is called, each publisher connection once. Succeeds with {@code {"replies":[{pod, process, result | error}]}}, one
   * reply per provider, failures included; fails only when there is no provider at all.
   */
  Future<Buffer> invokeAll(String object, String method, Buffer args, long timeoutMs, ProviderSelector.Pin pin) {
    return invokeAll(object, method, args, timeoutMs, pin, null, null);
  }

  /** As above, with the trace context as {@link #invoke(String, String, Buffer, long, ProviderSelector.Pin,
   * TraceContext, Tracing.Span)}: every provider's hop is a child of the one span. */
  Future<Buffer> invokeAll(String object, String method, Buffer args, long timeoutMs, ProviderSelector.Pin pin,
                           TraceContext trace, Tracing.Span span) {
    long start = System.nanoTime();
    TraceContext forward = Tracing.forward(span, trace);
    ProviderSelector.Candidates all;
    try {
      all = selector.selectAll(object, method, pin, config.process, config.podName, local.providersOf(object),
          peers.values());
    } catch (HubError e) {
      metrics.call(object, method, "none", e.outcome(), seconds(start));
      tracing.end(span, "none", e.outcome());
      return Future.failedFuture(e);
    }
    List<Future<JsonArray>> parts = new ArrayList<>();
    parts.add(invokeAllLocal(all.locals(), object, method, args, timeoutMs, "local", forward));
    for (Peer p : all.peers()) {
      parts.add(invokeRemote(p, object, method, args, timeoutMs, true, forward)
          .map(body -> new JsonObject(body).getJsonArray("replies", new JsonArray()))
          .otherwise(t -> new JsonArray().add(reply(p.pod, p.process, t))));
    }
    return Future.join(parts).transform(ar -> {
      JsonArray replies = new JsonArray();
      for (Future<JsonArray> f : parts) replies.addAll(f.result());
      metrics.call(object, method, "fanout", "ok", seconds(start));
      tracing.end(span, "fanout", "ok");
      return Future.succeededFuture(new JsonObject().put("replies", replies).toBuffer());
    });
  }

  /** A peer's fan-out call: each of this pod's publishers of the object and method. */
  Future<Buffer> invokeAllFromPeer(String object, String method, Buffer args, long timeoutMs, TraceContext trace,
                                   Tracing.Span span) {
    try {
      ProviderSelector.Candidates all = selector.selectAll(object, method, ProviderSelector.Pin.NONE, config.process,
          config.podName, local.providersOf(object), List.of());
      return invokeAllLocal(all.locals(), object, method, args, timeoutMs, "peer", Tracing.forward(span, trace))
          .map(replies -> new JsonObject().put("replies", replies).toBuffer())
          .andThen(ar -> tracing.end(span, "peer", "ok"));
    } catch (HubError e) {
      tracing.end(span, "peer", e.outcome());
      return Future.failedFuture(e);
    }
  }

  private Future<JsonArray> invokeAllLocal(List<PublisherConnection> connections, String object, String method,
                                           Buffer args, long timeoutMs, String caller, TraceContext trace) {
    List<Future<JsonObject>> each = new ArrayList<>();
    for (PublisherConnection c : connections) {
      each.add(invokeLocal(c, object, method, args, timeoutMs, caller, trace)
          .map(body -> reply(config.podName, config.process, null).put("result", new JsonObject(body).getValue("result")))
          .otherwise(t -> reply(config.podName, config.process, t)));
    }
    return Future.join(each).map(v -> {
      JsonArray out = new JsonArray();
      for (Future<JsonObject> f : each) out.add(f.result());
      return out;
    });
  }

  /** One provider's entry in a fan-out answer; with {@code failure}, its error in the protocol's shape. */
  private static JsonObject reply(String pod, String process, Throwable failure) {
    JsonObject r = new JsonObject().put("pod", pod).put("process", process);
    if (failure != null) {
      HubError e = failure instanceof HubError h ? h : new HubError(502, "HubError", String.valueOf(failure.getMessage()));
      r.put("error", e.errorJson());
    }
    return r;
  }

  private Future<Buffer> invokeLocal(PublisherConnection c, String object, String method, Buffer args,
                                     long timeoutMs, String caller, TraceContext trace) {
    long start = System.nanoTime();
    return local.invoke(c, object, method, args, timeoutMs, trace)
        .map(result -> Buffer.buffer("{\"result\":" + result + "}"))
        .andThen(ar -> metrics.served(object, method, caller, ar.succeeded() ? "ok" : outcome(ar.cause()),
            seconds(start)));
  }

  private Future<Buffer> invokeRemote(Peer peer, String object, String method, Buffer args, long timeoutMs,
                                      boolean fanout, TraceContext trace) {
    Promise<Buffer> promise = Promise.promise();
    RemoteInvocation call = new RemoteInvocation(peer, promise, trace);
    peer.inFlight.add(call);
    call.timerId = timers.set(timeoutMs, () -> {
      call.fail(HubError.timeout(timeoutMs));
      call.abort.run(); // the exchange is cut on the wire, never answered late on a pooled connection
    });
    metrics.peerRequest("out", "invoke");
    transport.invoke(peer, object, method, args, timeoutMs, fanout, call).onComplete(ar -> {
      if (ar.failed()) {
        if (call.settled()) return; // timed out or the peer left: that was already answered
        if (isPoolBusy(ar.cause())) {
          metrics.refused("peer", "peer_busy");
          call.fail(new HubError(503, "PeerBusy", "too many calls waiting for a connection to peer " + peer.pod));
          return;
        }
        metrics.peerError("invoke", "transport");
        call.fail(HubError.providerGone("connection to peer " + peer.pod + " failed: " + ar.cause().getMessage()));
        lostContact(peer);
      } else {
        PeerTransport.Response r = ar.result();
        if (r.status() == 200) call.complete(r.body());
        else call.fail(errorFromPeer(peer, r));
      }
    });
    return promise.future();
  }

  /** A call in flight to a peer; settles once, from the answer, the timeout or the peer leaving. */
  final class RemoteInvocation implements Peer.RemoteCall {
    final Peer peer;
    final Promise<Buffer> promise;
    /** The trace context the peer request carries (traceparent, tracestate); null: none. */
    final TraceContext trace;
    long timerId = -1;
    /** Set by the transport: aborts the HTTP exchange (resets the connection). */
    Runnable abort = () -> {};

    RemoteInvocation(Peer peer, Promise<Buffer> promise, TraceContext trace) {
      this.peer = peer;
      this.promise = promise;
      this.trace = trace;
    }

    /** Answered, timed out or failed: nothing more may be sent for it. */
    boolean settled() {
      return promise.future().isComplete();
    }

    void complete(Buffer body) {
      if (promise.tryComplete(body)) done();
    }

    void fail(HubError e) {
      if (promise.tryFail(e)) done();
    }

    private void done() {
      timers.cancel(timerId);
      peer.inFlight.remove(this);
    }

    @Override public void providerGone(String why) {
      fail(HubError.providerGone(why));
      abort.run();
    }
  }

  /** Vert.x refuses a request when the peer's pool wait queue is full. */
  static boolean isPoolBusy(Throwable t) {
    return t != null && (t.getClass().getSimpleName().equals("ConnectionPoolTooBusyException")
        || String.valueOf(t.getMessage()).contains("Connection pool reached max wait queue size"));
  }

  static HubError errorFromPeer(Peer peer, PeerTransport.Response r) {
    try {
      JsonObject err = new JsonObject(r.body()).getJsonObject("error");
      if (err != null && err.getString("name") != null) {
        if (r.status() == 401) {
          return new HubError(502, "PeerUnauthorized", "peer " + peer.pod + " refused our token: "
              + err.getString("message"));
        }
        return new HubError(r.status(), err.getString("name"), err.getString("message", ""),
            err.getValue("code") == null ? null : String.valueOf(err.getValue("code")), err.getString("source", "hub"));
      }
    } catch (RuntimeException ignored) {
      // fall through: not our error shape
    }
    return new HubError(502, "PeerError", "peer " + peer.pod + " answered HTTP " + r.status());
  }

  private static String outcome(Throwable t) {
    return t instanceof HubError h ? h.outcome() : "hub_error";
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  // ---- objects ----------------------------------------------------------------------------------------------

  /** {@code GET /v1/objects}: every object in the group with its providers. */
  JsonObject listObjects() {
    Map<String, List<String>> methods = new TreeMap<>();
    Map<String, List<String>> properties = new TreeMap<>();
    Map<String, JsonArray> providers = new LinkedHashMap<>();
    for (Object o : local.objectsJson()) {
      JsonObject obj = (JsonObject) o;
      String name = obj.getString("name");
      LocalHub.union(methods, name, obj.getJsonArray("methods").getList());
      LocalHub.union(properties, name, obj.getJsonArray("properties", new JsonArray()).getList());
      providers.computeIfAbsent(name, k -> new JsonArray()).add(new JsonObject().put("pod", config.podName)
          .put("process", config.process).put("local", true).put("ready", true));
    }
    for (Peer p : peers.values()) {
      for (Map.Entry<String, List<String>> e : p.objects.entrySet()) {
        LocalHub.union(methods, e.getKey(), e.getValue());
        LocalHub.union(properties, e.getKey(), p.properties.getOrDefault(e.getKey(), List.of()));
        providers.computeIfAbsent(e.getKey(), k -> new JsonArray()).add(new JsonObject().put("pod", p.pod)
            .put("process", p.process).put("local", false).put("ready", p.callable()));
      }
    }
    // Declared services nobody publishes yet are listed too, without providers.
    config.declaredServices.processByService().keySet().forEach(name -> methods.putIfAbsent(name, List.of()));
    JsonArray objects = new JsonArray();
    methods.forEach((name, ms) -> objects.add(new JsonObject().put("name", name).put("methods", new JsonArray(ms))
        .put("properties", new JsonArray(properties.getOrDefault(name, List.of())))
        .put("providers", providers.getOrDefault(name, new JsonArray()))
        .put("declaredFor", config.declaredServices.processOf(name))));
    return new JsonObject().put("objects", objects);
  }

  /** {@code GET /v1/objects/{name}}: one object as {@link #listObjects} shows it (introspection); 404 if unpublished. */
  JsonObject describeObject(String name) {
    for (Object o : listObjects().getJsonArray("objects")) {
      JsonObject obj = (JsonObject) o;
      if (name.equals(obj.getString("name")) && !obj.getJsonArray("providers").isEmpty()) return obj;
    }
    String owner = config.declaredServices.processOf(name);
    throw HubError.objectNotFound("nobody in the group publishes object '" + name + "'"
        + (owner == null ? "" : " (a service of process '" + owner + "' in spec.services, not published yet)"));
  }

  /** {@code GET /peer/v1/objects} and the announce body. */
  JsonObject localObjectsDocument() {
    return new JsonObject().put("pod", config.podName).put("process", config.process).put("revision", revision)
        .put("objects", local.objectsJson());
  }

  @Override public Future<Void> localObjectsChanged() {
    revision++;
    Buffer body = localObjectsDocument().toBuffer();
    List<Future<?>> sends = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (!p.callable()) continue;
      sends.add(announceTo(p, body));
    }
    return Future.join(sends).transform(ar -> Future.succeededFuture());
  }

  /**
   * {@code POST /peer/v1/announce}. The sender's sidecar is up (it just called us, authenticated): a listed peer
   * whose probe has not answered yet takes calls now, so that the sender's acknowledged publish is callable from
   * here at once; a call that then fails on the wire takes it out again.
   */
  void announced(JsonObject doc) {
    applyObjects(doc);
    Peer peer = peers.get(doc.getString("pod"));
    if (peer != null && peer.present && peer.address != null && !peer.reachable) reached(peer);
  }

  /** {@code POST /peer/v1/announce}, or a fetched objects document: update that peer's objects. */
  void applyObjects(JsonObject doc) {
    String pod = doc.getString("pod");
    if (pod == null || pod.equals(config.podName)) throw HubError.badRequest("announce needs the sender's pod name");
    JsonArray objects = doc.getJsonArray("objects");
    if (objects == null) throw HubError.badRequest("announce needs objects: an array");
    long rev = doc.getLong("revision", 0L);
    // Only pods discovery knows: an announce naming any other pod would grow the peer table without bound. A peer
    // that announces before discovery saw it loses nothing: its objects are fetched once discovery reports it.
    Peer peer = peers.get(pod);
    if (peer == null) {
      throw new HubError(409, "UnknownPeer", "pod " + Names.abbreviate(pod) + " is not a peer of group "
          + config.group + " (not seen by discovery)");
    }
    if (rev < peer.revision) return; // an older document overtaken by a newer one
    Map<String, List<String>> parsed = new LinkedHashMap<>();
    Map<String, List<String>> parsedProperties = new HashMap<>();
    for (Object o : objects) {
      if (!(o instanceof JsonObject obj) || !Names.validObject(obj.getString("name"))
          || !(obj.getValue("methods") instanceof JsonArray ms)) {
        throw HubError.badRequest("announce objects must be {name, methods}");
      }
      parsed.put(obj.getString("name"), validNames(ms));
      if (obj.getValue("properties") instanceof JsonArray ps && !ps.isEmpty()) {
        parsedProperties.put(obj.getString("name"), validNames(ps));
      }
    }
    peer.objects = parsed;
    peer.properties = parsedProperties;
    peer.revision = rev;
    String process = doc.getString("process");
    if (process != null && !process.isEmpty()) peer.process = process;
    updatePeerGauges();
  }

  private static List<String> validNames(JsonArray names) {
    List<String> list = new ArrayList<>();
    for (Object m : names) if (m instanceof String s && Names.validMethod(s)) list.add(s);
    return List.copyOf(list);
  }

  // ---- events -----------------------------------------------------------------------------------------------

  /** {@code POST /v1/events/{event}}: every subscriber in the group, this pod included. */
  Future<Integer> broadcast(String event, String dataJson) {
    metrics.eventBroadcast();
    int localCount = local.deliverEvent(event, dataJson, from);
    Buffer body = Buffer.buffer(JsonText.object().raw("data", dataJson).raw("from", from.encode()).toString());
    List<Future<Integer>> sends = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (!p.callable()) continue;
      metrics.peerRequest("out", "events");
      sends.add(transport.event(p, event, body).otherwise(e -> {
        metrics.peerError("events", "transport");
        return 0;
      }));
    }
    return Future.join(sends).transform(ar -> {
      int total = localCount;
      for (Future<Integer> f : sends) if (f.succeeded() && f.result() != null) total += f.result();
      return Future.succeededFuture(total);
    });
  }

  /** {@code POST /peer/v1/events/{event}} from a peer. */
  int deliverFromPeer(String event, String dataJson, JsonObject sender) {
    return local.deliverEvent(event, dataJson, sender == null ? new JsonObject() : sender);
  }

  // ---- discovery --------------------------------------------------------------------------------------------

  /**
   * A pod listed by discovery. Listed is not answering: a peer takes calls once a probe (the fetch of its objects
   * document) has reached its sidecar at this address, and is probed again when it moves, when the pod stops being
   * Ready, and when a call to it fails on the wire. A terminating pod takes no new calls; the calls it has finish
   * (its sidecar drains them) or fail on the wire.
   */
  @Override public void upsert(PeerEndpoint pod) {
    if (pod.pod().equals(config.podName)) return;
    Peer peer = peers.computeIfAbsent(pod.pod(), Peer::new);
    boolean moved = !Objects.equals(peer.address, pod.address());
    boolean stoppedServing = peer.serving && !pod.serving();
    if (moved && peer.callable()) failInFlight(peer, "peer pod " + peer.pod + " changed address");
    peer.address = pod.address();
    peer.present = !pod.terminating();
    peer.serving = pod.serving();
    if (moved || !peer.present) peer.reachable = false;
    if (peer.present && peer.address != null && (!peer.reachable || stoppedServing)) probe(peer);
    updatePeerGauges();
  }

  @Override public void removed(String podName) {
    Peer peer = peers.remove(podName);
    if (peer != null) {
      failInFlight(peer, "peer pod " + podName + " was deleted");
      updatePeerGauges();
      settleFirstView();
    }
  }

  @Override public void synced() {
    synced = true;
    settleFirstView();
  }

  /**
   * Completes once discovery has had its first full view and every Ready peer in it has been probed once (answered
   * or failed), or after {@code maxWaitMs}: the sidecar reports itself started then, and the kubelet starts the app
   * container after it. So an app of a higher order that calls {@code getProxy} as it starts finds the objects the
   * lower orders (Ready before it was created) publish, as a process started after its dependencies does under
   * Pandora. Peers not Ready yet (the same order starting) are not waited for.
   */
  Future<Void> firstView(long maxWaitMs) {
    timers.set(maxWaitMs, () -> firstView.tryComplete());
    settleFirstView();
    return firstView.future();
  }

  private void settleFirstView() {
    if (!synced || firstView.future().isComplete()) return;
    for (Peer p : peers.values()) {
      if (p.present && p.serving && p.address != null && !p.probedOnce) return;
    }
    firstView.tryComplete();
  }

  boolean isSynced() {
    return synced;
  }

  /**
   * Why this pod is not Ready yet, or null when it is: discovery has not had its first full view, or the app has not
   * published every service spec.services declares for its process (Pandora starts a process's services before the
   * process counts as started; here the next order waits for them, and the status counts live providers by it).
   */
  String notReadyReason() {
    if (!synced) return "discovery has no full view of the group yet";
    List<String> missing = config.declaredServices.of(config.process).stream()
        .filter(s -> local.providersOf(s).isEmpty()).toList();
    return missing.isEmpty() ? null : "the app has not published " + (missing.size() == 1 ? "service " : "services ")
        + String.join(", ", missing) + " (spec.services declares " + (missing.size() == 1 ? "it" : "them")
        + " for process " + config.process + ")";
  }

  private void failInFlight(Peer peer, String why) {
    for (Peer.RemoteCall c : new ArrayList<>(peer.inFlight)) c.providerGone(why);
    peer.inFlight.clear();
  }

  /** Fetches the peer's objects document; retried every {@link #FETCH_RETRY_MS} while it is listed and unreachable. */
  private void probe(Peer peer) {
    if (peer.probing) return;
    peer.probing = true;
    String address = peer.address;
    metrics.peerRequest("out", "objects");
    transport.fetchObjects(peer).onComplete(ar -> {
      peer.probing = false;
      peer.probedOnce = true;
      try {
        onProbed(peer, address, ar);
      } finally {
        settleFirstView();
      }
    });
  }

  /** What a completed probe of {@code address} says about the peer. */
  private void onProbed(Peer peer, String address, AsyncResult<JsonObject> ar) {
    if (peers.get(peer.pod) != peer || !peer.present || peer.address == null) return;
    if (!address.equals(peer.address)) {
      probe(peer); // it moved meanwhile: this answer says nothing about the new address
      return;
    }
    if (ar.succeeded()) {
      try {
        applyObjects(ar.result());
        reached(peer);
        return;
      } catch (HubError e) {
        LOG.log(Level.WARNING, "peer {0} sent a bad objects document: {1}", peer.pod, e.getMessage());
      }
    } else {
      metrics.peerError("objects", "transport");
      LOG.log(Level.DEBUG, "probing {0} failed: {1}", peer.pod, ar.cause().getMessage());
    }
    peer.reachable = false;
    updatePeerGauges();
    timers.set(FETCH_RETRY_MS, () -> {
      if (peers.get(peer.pod) == peer && peer.present && !peer.reachable) probe(peer);
    });
  }

  /**
   * A probe answered. When the peer was not callable it may have fetched our document before our publishers
   * connected, and our announces skipped it: it gets our document now, once.
   */
  private void reached(Peer peer) {
    boolean was = peer.callable();
    peer.reachable = true;
    updatePeerGauges();
    if (was) return;
    announceTo(peer, localObjectsDocument().toBuffer());
  }

  /** Pushes our objects document to one peer; a failure is counted and logged (the peer probes us in turn). */
  private Future<Void> announceTo(Peer peer, Buffer document) {
    metrics.peerRequest("out", "announce");
    return transport.announce(peer, document).onFailure(e -> {
      metrics.peerError("announce", "transport");
      LOG.log(Level.DEBUG, "announce to {0} failed: {1}", peer.pod, e.getMessage());
    });
  }

  /** A call to the peer failed on the wire: no more calls until a probe reaches it again. */
  private void lostContact(Peer peer) {
    if (peers.get(peer.pod) != peer || !peer.reachable) return;
    peer.reachable = false;
    updatePeerGauges();
    probe(peer);
  }

  private void updatePeerGauges() {
    int ready = 0, unready = 0, objects = 0;
    for (Peer p : peers.values()) {
      if (p.callable()) ready++; else unready++;
      objects += p.objects.size();
    }
    metrics.peers(ready, unready, objects);
  }

  Map<String, Peer> peers() {
    return peers;
  }
}
