package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hub's routing and peer bookkeeping against a scripted peer transport (no sockets). */
class HubTest {

  /** Records requests; each answer is completed by the test. */
  static final class ScriptedTransport implements PeerTransport {
    final List<String> log = new ArrayList<>();
    final List<Promise<Response>> invokes = new ArrayList<>();
    final List<Hub.RemoteInvocation> calls = new ArrayList<>();
    final List<Promise<JsonObject>> fetches = new ArrayList<>();
    final List<Buffer> announced = new ArrayList<>();
    int aborted;
    int eventAnswer = 2;

    @Override public Future<Response> invoke(Peer peer, String object, String method, Buffer args, long timeoutMs,
                                             boolean fanout, Hub.RemoteInvocation call) {
      log.add((fanout ? "invokeAll " : "invoke ") + peer.pod + " " + object + "." + method + " " + args + " " + timeoutMs);
      call.abort = () -> aborted++;
      calls.add(call);
      Promise<Response> p = Promise.promise();
      invokes.add(p);
      return p.future();
    }

    @Override public Future<JsonObject> fetchObjects(Peer peer) {
      log.add("fetch " + peer.pod);
      Promise<JsonObject> p = Promise.promise();
      fetches.add(p);
      return p.future();
    }

    @Override public Future<Void> announce(Peer peer, Buffer document) {
      log.add("announce " + peer.pod);
      announced.add(document);
      return Future.succeededFuture();
    }

    @Override public Future<Integer> event(Peer peer, String event, Buffer body) {
      log.add("event " + peer.pod + " " + event + " " + body);
      return Future.succeededFuture(eventAnswer);
    }
  }

  private final FakeTimers timers = new FakeTimers();
  private final HubMetrics metrics = new HubMetrics();
  private final ScriptedTransport transport = new ScriptedTransport();
  private Hub hub;

  @BeforeEach
  void setUp() {
    SidecarConfig config = SidecarConfig.builder().group("shop").process("web").podName("web-1").hubToken("t").build();
    hub = new Hub(config, new LocalHub(timers, metrics), metrics, transport, timers);
  }

  private static PeerEndpoint listed(String name, String address) {
    return new PeerEndpoint(name, address, true, false);
  }

  private void peerWithObject(String pod, String object, String... methods) {
    hub.upsert(listed(pod, "10.0.0.2:7071"));
    answerProbe(pod, object, methods);
  }

  private void answerProbe(String pod, String object, String... methods) {
    transport.fetches.get(transport.fetches.size() - 1).complete(new JsonObject().put("pod", pod).put("process", "background")
        .put("revision", 5).put("objects", new JsonArray().add(new JsonObject().put("name", object)
            .put("methods", new JsonArray(List.of(methods))))));
  }

  @Test
  void aListedPeerIsProbedForItsObjectsThenGetsOurDocumentAndServesCalls() {
    hub.upsert(listed("bg-1", "10.0.0.2:7071"));
    assertThat(hub.peers().get("bg-1").callable()).isFalse();
    assertThat(hub.listObjects().getJsonArray("objects")).isEmpty();
    answerProbe("bg-1", "snap", "take");
    assertThat(transport.log).containsExactly("fetch bg-1", "announce bg-1");
    Future<Buffer> answer = hub.invoke("snap", "take", Buffer.buffer("[1]"), 1000, null);
    assertThat(transport.log).last().isEqualTo("invoke bg-1 snap.take [1] 1000");
    transport.invokes.get(0).complete(new PeerTransport.Response(200, Buffer.buffer("{\"result\":42}")));
    assertThat(answer.result().toString()).isEqualTo("{\"result\":42}");
    assertThat(metrics.calls.get("snap", "take", "remote", "ok")).isEqualTo(1);
  }

  @Test
  void anAnnounceFromAListedPeerWhoseProbeHasNotAnsweredMakesItCallableAtOnce() {
    hub.upsert(listed("bg-1", "10.0.0.2:7071"));
    transport.fetches.get(0).fail("connection refused"); // it was not up yet; the retry is a second away
    hub.announced(new JsonObject().put("pod", "bg-1").put("process", "background").put("revision", 7)
        .put("objects", new JsonArray().add(new JsonObject().put("name", "snap").put("methods", new JsonArray().add("take")))));
    assertThat(hub.peers().get("bg-1").callable()).isTrue();
    assertThat(transport.log).containsExactly("fetch bg-1", "announce bg-1");
    hub.invoke("snap", "take", Buffer.buffer("[]"), 1000, null);
    assertThat(transport.log).last().isEqualTo("invoke bg-1 snap.take [] 1000");
  }

  @Test
  void theFirstViewWaitsForEveryReadyPeersFirstProbeButNotForPeersStillStarting() {
    Future<Void> first = hub.firstView(5000);
    hub.upsert(listed("bg-1", "10.0.0.2:7071"));
    hub.upsert(new PeerEndpoint("web-2", "10.0.0.3:7071", false, false)); // not Ready: the same order starting
    assertThat(first.isComplete()).as("before discovery's first full list").isFalse();
    hub.synced();
    assertThat(first.isComplete()).as("bg-1 (Ready) not probed yet").isFalse();
    transport.fetches.get(0).complete(new JsonObject().put("pod", "bg-1").put("process", "background")
        .put("revision", 5).put("objects", new JsonArray().add(new JsonObject().put("name", "snap")
            .put("methods", new JsonArray().add("take")))));
    assertThat(first.succeeded()).as("web-2's probe is still open").isTrue();
    assertThat(hub.listObjects().getJsonArray("objects").getJsonObject(0).getString("name")).isEqualTo("snap");
  }

  @Test
  void theFirstViewCountsAFailedProbeAndEndsAtItsLimitWhenAPeerNeverAnswers() {
    Future<Void> first = hub.firstView(5000);
    hub.upsert(listed("bg-1", "10.0.0.2:7071"));
    hub.upsert(listed("bg-2", "10.0.0.4:7071"));
    hub.synced();
    transport.fetches.get(0).fail("connection refused"); // answered, if by a refusal: the app need not wait for it
    assertThat(first.isComplete()).as("bg-2 still silent").isFalse();
    timers.advance(4999);
    assertThat(first.isComplete()).isFalse();
    timers.advance(1);
    assertThat(first.succeeded()).as("no longer than the limit").isTrue();
  }

  @Test
  void aFailedProbeIsRetriedWhileThePodIsListed() {
    hub.upsert(listed("bg-1", "10.0.0.2:7071"));
    transport.fetches.get(0).fail("connection refused");
    timers.advance(Hub.FETCH_RETRY_MS);
    assertThat(transport.log).containsExactly("fetch bg-1", "fetch bg-1");
    transport.fetches.get(1).fail("connection refused");
    hub.removed("bg-1");
    timers.advance(Hub.FETCH_RETRY_MS);
    assertThat(transport.log).hasSize(2);
  }

  @Test
  void aPeerDeletedMidCallFailsTheCallAtOnceWithProviderGone() {
    peerWithObject("bg-1", "snap", "take");
    Future<Buffer> answer = hub.invoke("snap", "take", Buffer.buffer("[]"), 30_000, null);
    hub.removed("bg-1");
    assertThat(answer.cause()).isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("ProviderGone"));
    assertThat(transport.aborted).isEqualTo(1);
    assertThat(timers.pending()).isZero();
    assertThat(hub.listObjects().getJsonArray("objects")).isEmpty();
  }

  @Test
  void aTerminatingPeerTakesNoNewCallsButItsCallInFlightFinishes() {
    peerWithObject("bg-1", "snap", "take");
    Future<Buffer> answer = hub.invoke("snap", "take", Buffer.buffer("[]"), 30_000, null);
    hub.upsert(new PeerEndpoint("bg-1", "10.0.0.2:7071", false, true));
    Future<Buffer> next = hub.invoke("snap", "take", Buffer.buffer("[]"), 30_000, null);
    assertThat(next.cause()).isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("NoReadyProvider"));
    assertThat(hub.listObjects().getJsonArray("objects").getJsonObject(0).getJsonArray("providers").getJsonObject(0)
        .getBoolean("ready")).isFalse();
    transport.invokes.get(0).complete(new PeerTransport.Response(200, Buffer.buffer("{\"result\":1}")));
    assertThat(answer.result().toString()).isEqualTo("{\"result\":1}");
  }

  @Test
  void aPeerThatStopsServingIsProbedAndLeavesRotationOnlyIfItsSidecarDoesNotAnswer() {
    peerWithObject("bg-1", "snap", "take");
    hub.upsert(new PeerEndpoint("bg-1", "10.0.0.2:7071", false, false)); // the app is not Ready: the hub may be
    assertThat(transport.log).containsExactly("fetch bg-1", "announce bg-1", "fetch bg-1");
    assertThat(hub.peers().get("bg-1").callable()).isTrue();
    answerProbe("bg-1", "snap", "take");
    assertThat(hub.peers().get("bg-1").callable()).isTrue();
    hub.upsert(new PeerEndpoint("bg-1", "10.0.0.2:7071", true, false));
    hub.upsert(new PeerEndpoint("bg-1", "10.0.0.2:7071", false, false));
    transport.fetches.get(transport.fetches.size() - 1).fail("connection refused");
    assertThat(hub.peers().get("bg-1").callable()).isFalse();
    assertThat(hub.invoke("snap", "take", Buffer.buffer("[]"), 1000, null).cause())
        .isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("NoReadyProvider"));
    timers.advance(Hub.FETCH_RETRY_MS);
    answerProbe("bg-1", "snap", "take");
    assertThat(hub.peers().get("bg-1").callable()).isTrue();
  }

  @Test
  void aPeerThatMovesFailsItsCallsAndIsProbedAtTheNewAddress() {
    peerWithObject("bg-1", "snap", "take");
    Future<Buffer> answer = hub.invoke("snap", "take", Buffer.buffer("[]"), 30_000, null);
    hub.upsert(listed("bg-1", "10.0.0.9:7071"));
    assertThat(answer.cause()).isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("ProviderGone"));
    assertThat(hub.peers().get("bg-1").callable()).isFalse();
    assertThat(transport.log).last().isEqualTo("fetch bg-1");
  }

  @Test
  void aTransportFailureIsProviderGoneAndATimeoutIs504() {
    peerWithObject("bg-1", "snap", "take");
    Future<Buffer> reset = hub.invoke("snap", "take", Buffer.buffer("[]"), 30_000, null);
    transport.invokes.get(0).fail(new java.io.IOException("Connection reset"));
    assertThat(reset.cause()).isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("ProviderGone"));
    // out of rotation until a probe reaches it again
    assertThat(hub.invoke("snap", "take", Buffer.buffer("[]"), 100, null).cause())
        .isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("NoReadyProvider"));
    assertThat(transport.log).last().isEqualTo("fetch bg-1");
    answerProbe("bg-1", "snap", "take");
    Future<Buffer> slow = hub.invoke("snap", "take", Buffer.buffer("[]"), 100, null);
    timers.advance(100);
    assertThat(slow.cause()).isInstanceOfSatisfying(HubError.class, e -> assertThat(e.status).isEqualTo(504));
    transport.invokes.get(1).complete(new PeerTransport.Response(200, Buffer.buffer("{\"result\":1}")));
    assertThat(slow.cause()).isInstanceOf(HubError.class);
    assertThat(metrics.calls.get("snap", "take", "remote", "timeout")).isEqualTo(1);
    assertThat(metrics.calls.get("snap", "take", "remote", "provider_gone")).isEqualTo(1);
  }

  @Test
  void peerErrorsKeepTheirStatusNameAndSource() {
    peerWithObject("bg-1", "snap", "take");
    Future<Buffer> answer = hub.invoke("snap", "take", Buffer.buffer("[]"), 1000, null);
    transport.invokes.get(0).complete(new PeerTransport.Response(500, Buffer.buffer(
        "{\"error\":{\"name\":\"TypeError\",\"message\":\"boom\",\"code\":\"E1\",\"source\":\"remote\"}}")));
    assertThat(answer.cause()).isInstanceOfSatisfying(HubError.class, e -> {
      assertThat(e.status).isEqualTo(500);
      assertThat(e.errorJson()).isEqualTo(new JsonObject("{\"name\":\"TypeError\",\"message\":\"boom\",\"code\":\"E1\",\"source\":\"remote\"}"));
    });
    Future<Buffer> garbage = hub.invoke("snap", "take", Buffer.buffer("[]"), 1000, null);
    transport.invokes.get(1).complete(new PeerTransport.Response(503, Buffer.buffer("<html>")));
    assertThat(garbage.cause()).isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("PeerError"));
  }

  @Test
  void anOlderObjectsDocumentNeverOverwritesANewerOne() {
    peerWithObject("bg-1", "snap", "take"); // revision 5
    hub.applyObjects(new JsonObject().put("pod", "bg-1").put("revision", 4).put("objects", new JsonArray()));
    assertThat(hub.peers().get("bg-1").objects).containsKey("snap");
    hub.applyObjects(new JsonObject().put("pod", "bg-1").put("revision", 6).put("objects", new JsonArray()));
    assertThat(hub.peers().get("bg-1").objects).isEmpty();
  }

  @Test
  void anAnnounceFromAPodDiscoveryDoesNotKnowIsRefusedAndAddsNoPeer() {
    peerWithObject("bg-1", "snap", "take");
    assertThatThrownBy(() -> hub.applyObjects(new JsonObject().put("pod", "made-up").put("revision", 1)
        .put("objects", new JsonArray())))
        .isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("UnknownPeer"));
    assertThat(hub.peers()).containsOnlyKeys("bg-1");
  }

  @Test
  void aRemoteCallThatTimesOutIsAbortedOnTheWire() {
    peerWithObject("bg-1", "snap", "take");
    Future<Buffer> answer = hub.invoke("snap", "take", Buffer.buffer("[]"), 1000, null);
    boolean[] aborted = {false};
    transport.calls.get(0).abort = () -> aborted[0] = true;
    timers.advance(1000);
    assertThat(answer.cause()).isInstanceOfSatisfying(HubError.class, e -> assertThat(e.name).isEqualTo("Timeout"));
    assertThat(aborted[0]).isTrue();
    assertThat(transport.calls.get(0).settled()).isTrue();
  }

  @Test
  void localPublishesAreAnnouncedToReadyPeersOnly() {
    peerWithObject("bg-1", "snap", "take");
    hub.upsert(new PeerEndpoint("bg-2", null, false, false));
    RecordingSink sink = new RecordingSink();
    PublisherConnection c = hub.local.open(sink);
    hub.local.onFrame(c, "{\"op\":\"publish\",\"object\":\"cart\",\"methods\":[\"add\"]}");
    assertThat(transport.log).containsExactly("fetch bg-1", "announce bg-1", "announce bg-1");
    JsonObject doc = new JsonObject(transport.announced.get(1));
    assertThat(doc.getString("pod")).isEqualTo("web-1");
    assertThat(doc.getJsonArray("objects").getJsonObject(0).getString("name")).isEqualTo("cart");
    assertThat(sink.last().getString("op")).isEqualTo("published");
  }

  @Test
  void broadcastsAddTheLocalAndPeerDeliveries() {
    peerWithObject("bg-1", "snap", "take");
    RecordingSink sink = new RecordingSink();
    PublisherConnection c = hub.local.open(sink);
    hub.local.onFrame(c, "{\"op\":\"subscribe\",\"event\":\"cache.flush\"}");
    Future<Integer> delivered = hub.broadcast("cache.flush", "{\"k\":1}");
    assertThat(delivered.result()).isEqualTo(1 + transport.eventAnswer);
    assertThat(transport.log).last().asString().contains("event bg-1 cache.flush {\"data\":{\"k\":1},\"from\":{\"pod\":\"web-1\",\"process\":\"web\"}}");
  }

  @Test
  void declaredServicesAreListedBesideTheLiveObjectsAndNotDescribedUntilPublished() {
    SidecarConfig config = SidecarConfig.builder().group("shop").process("web").podName("web-1").hubToken("t")
        .declaredServices(DeclaredServices.parse("reports=background")).build();
    Hub declared = new Hub(config, new LocalHub(timers, metrics), metrics, transport, timers);
    JsonObject listed = declared.listObjects().getJsonArray("objects").getJsonObject(0);
    assertThat(listed.getString("name")).isEqualTo("reports");
    assertThat(listed.getString("declaredFor")).isEqualTo("background");
    assertThat(listed.getJsonArray("providers")).isEmpty();
    assertThatThrownBy(() -> declared.describeObject("reports")).isInstanceOfSatisfying(HubError.class, e -> {
      assertThat(e.name).isEqualTo("ObjectNotFound");
      assertThat(e.getMessage()).contains("a service of process 'background' in spec.services, not published yet");
    });
  }

  @Test
  void theOwnPodIsNotAPeer() {
    hub.upsert(listed("web-1", "10.0.0.1:7071"));
    assertThat(hub.peers()).isEmpty();
    assertThat(transport.log).isEmpty();
  }
}
