package dev.procgroup.sidecar;

import dev.procgroup.testing.TestPorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each limit of {@link Limits} on a real sidecar over loopback, with limits small enough to hit: slow headers and
 * bodies get 408, idle keep-alive connections close but a call waiting for its answer does not, the connection cap
 * answers 503, an unauthenticated large body is refused unread, the per-peer caps answer 429 / 503, and a timed-out
 * peer call is cut on the wire while a queued one is never sent.
 */
class HardenedPortsIT {

  static final String TOKEN = "hardened-token";
  static final Limits LIMITS = Limits.defaults().withReadTimeouts(400, 600)
      .withIdleTimeouts(700, 1500, 1000, 150, 600).withCaps(12, 12, 2, 1, 1);
  static Vertx vertx = Vertx.vertx();
  static Http http = new Http(vertx);
  static Sidecar a;
  static Sidecar b;
  final List<TestApp> apps = new ArrayList<>();

  @BeforeAll
  static void start() {
    int peerA = TestPorts.free(), peerB = TestPorts.free();
    a = Await.of(new Sidecar(config("a", "web", peerA, List.of(new SidecarConfig.StaticPeer("b", "127.0.0.1:" + peerB))))
        .start());
    b = Await.of(new Sidecar(config("b", "background", peerB, List.of(new SidecarConfig.StaticPeer("a",
        "127.0.0.1:" + peerA)))).start());
  }

  static SidecarConfig config(String pod, String process, int peerPort, List<SidecarConfig.StaticPeer> peers) {
    return SidecarConfig.builder().group("hardened").process(process).podName(pod).hubToken(TOKEN).hubPort(0)
        .peerHost("127.0.0.1").peerPort(peerPort).metricsHost("127.0.0.1").metricsPort(0).appMetrics("off")
        .staticPeers(peers).limits(LIMITS).build();
  }

  @AfterAll
  static void stop() {
    Await.of(a.stop());
    Await.of(b.stop());
    Await.of(vertx.close());
  }

  @AfterEach
  void closeApps() {
    apps.forEach(TestApp::close);
    apps.clear();
  }

  TestApp app(Sidecar s) {
    TestApp t = TestApp.connect(vertx, s.hubPort());
    apps.add(t);
    return t;
  }

  @Test
  void slowHeadersGet408WithAReasonOnBothPorts() {
    for (int port : new int[] {a.hubPort(), a.peerPort()}) {
      try (Raw raw = new Raw(port)) {
        long start = System.nanoTime();
        raw.send("GET /v1/context HTTP/1.1\r\nHost: x\r\n");
        // one header byte every 100 ms: each read resets no timer, the header deadline still fires
        for (int i = 0; i < 3; i++) {
          raw.send("X");
          sleep(100);
        }
        Raw.Answer ans = raw.answer(3000);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ans.status()).as("port %d: %s", port, ans.text()).isEqualTo(408);
        assertThat(ans.errorName()).isEqualTo("RequestTimeout");
        assertThat(ms).isBetween(350L, 2500L);
        assertThat(raw.closedWithin(2000)).isTrue();
      }
    }
  }

  @Test
  void aSlowBodyGets408() {
    try (Raw raw = new Raw(a.hubPort())) {
      raw.send("POST /v1/events/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[1,");
      Raw.Answer ans = raw.answer(3000);
      assertThat(ans.status()).as(ans.text()).isEqualTo(408);
      assertThat(ans.body()).contains("request body did not arrive");
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedButACallWaitingForItsAnswerIsNot() throws Exception {
    try (Raw raw = new Raw(a.hubPort())) {
      raw.send("GET /v1/context HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(raw.answer(2000).status()).isEqualTo(200);
      long start = System.nanoTime();
      assertThat(raw.closedWithin(3000)).as("idle keep-alive connection closed").isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(600);
    }
    // The publisher answers after twice the idle timeout of both ports: the call still succeeds.
    String obj = "slowAnswer";
    TestApp publisher = app(b).handler(f -> new TestApp.Silent()).publish(obj, "m");
    var pending = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> http.invoke(a.hubPort(), obj, "m", "[]", Map.of("Procgroup-Timeout-Ms", "10000")));
    var invoke = publisher.nextInvoke();
    Thread.sleep(1900); // the call is in progress on both ports for longer than their idle timeouts
    publisher.send("{\"op\":\"result\",\"id\":\"" + invoke.getString("id") + "\",\"result\":42}");
    Http.Resp r = pending.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getInteger("result")).isEqualTo(42);
  }

  @Test
  void aQuietPublisherStaysConnectedThroughPingsAndASilentWebSocketIsClosed() throws Exception {
    TestApp quiet = app(b).publish("quiet", "m"); // Vert.x's client answers pings, like Node's ws and the JDK's
    try (Raw raw = new Raw(a.hubPort())) {
      raw.send("GET /v1/connect HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      assertThat(raw.answer(2000).status()).isEqualTo(101);
      long start = System.nanoTime();
      // never answers a ping: closed after the WebSocket idle timeout (600 ms)
      assertThat(raw.closedWithin(4000)).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(550);
    }
    Thread.sleep(1500); // two and a half idle timeouts
    assertThat(quiet.isClosed()).isFalse();
    assertThat(http.invoke(a.hubPort(), "quiet", "m", "[7]", Map.of()).status()).isEqualTo(200);
  }

  /** The Java client's WebSocket (java.net.http) answers the pings by itself: it outlives the idle timeout. */
  @Test
  void theJdkWebSocketClientAnswersPingsAndStaysConnected() throws Exception {
    java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
    java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(java.net.URI.create("ws://127.0.0.1:" + a.hubPort() + "/v1/connect"),
            new java.net.http.WebSocket.Listener() {
              @Override public java.util.concurrent.CompletionStage<?> onPing(java.net.http.WebSocket w,
                                                                             java.nio.ByteBuffer message) {
                pings.incrementAndGet();
                return java.net.http.WebSocket.Listener.super.onPing(w, message);
              }

              @Override public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket w, int code,
                                                                              String reason) {
                closed.complete(code);
                return null;
              }
            }).get(5, java.util.concurrent.TimeUnit.SECONDS);
    Thread.sleep(1500); // two and a half WebSocket idle timeouts (600 ms), pings every 150 ms
    assertThat(pings.get()).isGreaterThanOrEqualTo(3);
    assertThat(closed).isNotDone();
    assertThat(ws.isInputClosed()).isFalse();
    ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void connectionsBeyondTheCapGet503() {
    List<Raw> held = new ArrayList<>();
    try {
      // Connections that send nothing (closed by the idle timeout, 1500 ms, later); b's pooled connection to a, if
      // there is one, counts too.
      Raw extra = null;
      for (int i = 0; i < 40 && extra == null; i++) {
        Raw r = new Raw(a.peerPort());
        Raw.Answer ans = held.size() >= 10 ? r.answer(100) : null;
        if (ans != null && ans.status() == 503) {
          assertThat(ans.errorName()).isEqualTo("TooManyConnections");
          extra = r;
        } else {
          held.add(r);
        }
      }
      assertThat(extra).as("a connection beyond the cap was refused").isNotNull();
      assertThat(held.size()).isBetween(11, 12);
      extra.close();
    } finally {
      held.forEach(Raw::close);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> a.peerConnections() == 0);
    assertThat(http.get(a.peerPort(), "/peer/v1/objects").status()).isEqualTo(401); // serving again
  }

  @Test
  void anUnauthenticatedLargeBodyIsRefusedUnreadAndASmallOneKeepsTheConnection() {
    try (Raw raw = new Raw(b.peerPort())) {
      raw.send("POST /peer/v1/announce HTTP/1.1\r\nHost: x\r\nContent-Length: 67108864\r\n\r\n" + "x".repeat(1000));
      Raw.Answer ans = raw.answer(2000); // 64 MiB declared, 1000 bytes sent: the 401 does not wait for the rest
      assertThat(ans.status()).isEqualTo(401);
      assertThat(ans.text()).containsIgnoringCase("connection: close");
      assertThat(raw.closedWithin(2000)).isTrue();
    }
    try (Raw raw = new Raw(b.peerPort())) {
      raw.send("POST /peer/v1/announce HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(raw.answer(2000).status()).isEqualTo(401);
      raw.send("GET /peer/v1/objects HTTP/1.1\r\nHost: x\r\n\r\n");
      Raw.Answer second = raw.answer(2000);
      assertThat(second.status()).as("same connection, second request").isEqualTo(401);
      assertThat(second.errorName()).isEqualTo("Unauthorized");
    }
  }

  @Test
  void aPeerWithTooManyRequestsInProgressGets429() {
    TestApp silent = app(b).handler(f -> new TestApp.Silent()).publish("hold", "m");
    List<java.util.concurrent.CompletableFuture<Http.Resp>> calls = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> http.send(io.vertx.core.http.HttpMethod.POST,
          b.peerPort(), "/peer/v1/invoke/hold/m", "[]",
          Map.of("Authorization", "Bearer " + TOKEN, "Procgroup-Timeout-Ms", "1500"))));
      silent.nextInvoke();
    }
    Http.Resp third = http.send(io.vertx.core.http.HttpMethod.POST, b.peerPort(), "/peer/v1/invoke/hold/m", "[]",
        Map.of("Authorization", "Bearer " + TOKEN));
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.errorName()).isEqualTo("TooManyRequests");
    calls.forEach(c -> assertThat(c.join().status()).isEqualTo(504));
  }

  /**
   * Pool of one connection per peer, queue of one: against a fake peer that never answers, a call that times out is
   * reset on the wire, a call that timed out while queued is never sent, and one beyond the queue is refused at once.
   */
  @Test
  void timedOutPeerCallsAreAbortedAndQueuedOnesNeverSentLate() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    AtomicInteger closedConnections = new AtomicInteger();
    HttpServer fake = vertx.createHttpServer().connectionHandler(c -> c.closeHandler(v -> closedConnections.incrementAndGet()))
        .requestHandler((HttpServerRequest req) -> {
          if (req.path().equals("/peer/v1/objects")) {
            req.response().putHeader("Content-Type", "application/json").end("{\"pod\":\"fake\",\"process\":\"p\","
                + "\"revision\":1,\"objects\":[{\"name\":\"never\",\"methods\":[\"m\"]}]}");
          } else if (req.path().startsWith("/peer/v1/invoke/")) {
            req.body().onSuccess(body -> received.add(body.toString())); // and never answers
          } else {
            req.response().setStatusCode(204).end();
          }
        });
    Await.of(fake.listen(0, "127.0.0.1"));
    Sidecar c = Await.of(new Sidecar(SidecarConfig.builder().group("hardened").process("web").podName("c")
        .hubToken(TOKEN).hubPort(0).peerHost("127.0.0.1").peerPort(0).metricsHost("127.0.0.1").metricsPort(0)
        .appMetrics("off").staticPeers(List.of(new SidecarConfig.StaticPeer("fake", "127.0.0.1:" + fake.actualPort())))
        .limits(LIMITS).build()).start());
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> http.get(c.hubPort(), "/v1/objects").body().contains("never"));
      var first = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> http.invoke(c.hubPort(), "never", "m", "[\"first\"]", Map.of("Procgroup-Timeout-Ms", "1200")));
      await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("[\"first\"]"));
      // the pool's one connection is busy: this one waits in the queue and gives up there
      var queued = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> http.invoke(c.hubPort(), "never", "m", "[\"queued\"]", Map.of("Procgroup-Timeout-Ms", "300")));
      Http.Resp busy = http.invoke(c.hubPort(), "never", "m", "[\"busy\"]", Map.of("Procgroup-Timeout-Ms", "300"));
      Http.Resp q = queued.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(List.of(busy.status(), q.status())).containsExactlyInAnyOrder(503, 504);
      assertThat(busy.status() == 503 ? busy.errorName() : q.errorName()).isEqualTo("PeerBusy");
      assertThat(first.get(5, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(504);
      // the timed-out exchange is reset: the fake sees its connection closed, without ever answering
      await().atMost(Duration.ofSeconds(2)).until(() -> closedConnections.get() >= 1);
      var last = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> http.invoke(c.hubPort(), "never", "m", "[\"last\"]", Map.of("Procgroup-Timeout-Ms", "300")));
      await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("[\"last\"]"));
      assertThat(last.get(5, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(504);
      // what reached the peer: the first and the last call, never the ones that gave up waiting
      assertThat(received).containsExactly("[\"first\"]", "[\"last\"]");
    } finally {
      Await.of(c.stop());
      Await.of(fake.close());
    }
  }

  static String metrics(Sidecar s) {
    return http.get(s.metricsPort(), "/metrics").body();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
