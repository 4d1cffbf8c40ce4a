package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hub behaviour, end to end over loopback: three real sidecars (in this JVM, each its own Vert.x instance and
 * ports) and fake apps on WebSocket/HTTP clients. Pod "a" runs process web, "b" background, "c" worker.
 * Subclasses decide how the sidecars discover each other (static peers, or a real kube-apiserver).
 */
abstract class AbstractHubIT {

  static final String TOKEN = "it-token-0123456789";
  static Vertx clientVertx = Vertx.vertx();
  static Http http = new Http(clientVertx);
  private static final AtomicInteger SEQ = new AtomicInteger();

  /** The running sidecars by pod name: "a", "b", "c". */
  abstract Map<String, Sidecar> sidecars();

  final List<TestApp> apps = new ArrayList<>();

  Sidecar sidecar(String pod) {
    return sidecars().get(pod);
  }

  int hub(String pod) {
    return sidecar(pod).hubPort();
  }

  TestApp app(String pod) {
    TestApp a = TestApp.connect(clientVertx, hub(pod));
    apps.add(a);
    return a;
  }

  /** A fresh object name per test, so tests never see each other's publishers. */
  static String uniqueObject(String base) {
    return base + SEQ.incrementAndGet();
  }

  @AfterEach
  void closeApps() {
    apps.forEach(TestApp::close);
    apps.clear();
  }

  @AfterAll
  static void closeClients() {
    Await.of(clientVertx.close());
    clientVertx = Vertx.vertx();
    http = new Http(clientVertx);
  }

  static Map<String, String> timeout(long ms) {
    return Map.of("Procgroup-Timeout-Ms", Long.toString(ms));
  }

  static String metrics(Sidecar s) {
    return http.get(s.metricsPort(), "/metrics").body();
  }

  @Test
  void aCallFromOnePodReachesThePublisherInAnotherAndReturnsItsResult() {
    String obj = uniqueObject("pageSnapshot");
    TestApp b = app("b").publish(obj, "take");
    Http.Resp r = http.invoke(hub("a"), obj, "take", "[\"https://x\", {\"w\":1}]", Map.of());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json()).isEqualTo(new JsonObject("{\"result\":{\"echo\":[\"https://x\",{\"w\":1}]}}"));
    JsonObject invoke = b.nextInvoke();
    assertThat(invoke.getString("object")).isEqualTo(obj);
    assertThat(invoke.getLong("timeoutMs")).isEqualTo(30_000);

    JsonObject listed = http.get(hub("a"), "/v1/objects").json().getJsonArray("objects").stream()
        .map(JsonObject.class::cast).filter(o -> o.getString("name").equals(obj)).findFirst().orElseThrow();
    assertThat(listed.getJsonArray("methods").getList()).containsExactly("take");
    assertThat(listed.getJsonArray("providers").getJsonObject(0).getMap())
        .containsEntry("pod", "b").containsEntry("process", "background").containsEntry("local", false)
        .containsEntry("ready", true);
  }

  @Test
  void withSpanExportOffTheCallersTraceContextReachesTheProviderAsSentAndNoSpanIsNamed() {
    String obj = uniqueObject("traced");
    TestApp b = app("b").publish(obj, "take");
    String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Http.Resp r = http.invoke(hub("a"), obj, "take", "[]", Map.of("traceparent", tp, "tracestate", "congo=t61rcWkgMzE"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("traceresponse")).isNull();
    JsonObject invoke = b.nextInvoke();
    assertThat(invoke.getString("traceparent")).isEqualTo(tp);
    assertThat(invoke.getString("tracestate")).isEqualTo("congo=t61rcWkgMzE");
    assertThat(http.invoke(hub("a"), obj, "take", "[]", Map.of()).status()).isEqualTo(200);
    assertThat(b.nextInvoke().containsKey("traceparent")).as("no context is made up").isFalse();
  }

  @Test
  void theContextDescribesThePod() {
    Http.Resp resp = http.get(hub("a"), "/v1/context");
    assertThat(resp.status()).as("context answer %s %s", resp.headers(), resp.body()).isEqualTo(200);
    JsonObject ctx = resp.json();
    assertThat(ctx.getString("pod")).isEqualTo("a");
    assertThat(ctx.getString("process")).isEqualTo("web");
    assertThat(ctx.getString("group")).isEqualTo(sidecar("a").config().group);
  }

  @Test
  void aThrownErrorComesBackStructuredAsARemoteError() {
    String obj = uniqueObject("url");
    app("b").handler(f -> new TestApp.Error("TypeError", "bad url", "ERR_INVALID_URL")).publish(obj, "parse");
    Http.Resp r = http.invoke(hub("a"), obj, "parse", "[]", Map.of());
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.header("Procgroup-Error")).isEqualTo("remote");
    assertThat(r.json().getJsonObject("error")).isEqualTo(new JsonObject()
        .put("name", "TypeError").put("message", "bad url").put("code", "ERR_INVALID_URL").put("source", "remote"));
  }

  @Test
  void aCallWithoutAnswerTimesOutWith504AfterItsOwnTimeout() {
    String obj = uniqueObject("slow");
    app("b").handler(f -> new TestApp.Silent()).publish(obj, "wait");
    long start = System.nanoTime();
    Http.Resp r = http.invoke(hub("a"), obj, "wait", "[]", timeout(400));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.errorName()).isEqualTo("Timeout");
    assertThat(ms).isBetween(390L, 3000L);
  }

  @Test
  void aPublisherThatDisconnectsMidCallFailsThePendingCallAtOnceWithProviderGone() throws Exception {
    String obj = uniqueObject("flaky");
    TestApp b = app("b").handler(f -> new TestApp.Silent()).publish(obj, "work");
    CompletableFuture<Http.Resp> pending = CompletableFuture.supplyAsync(
        () -> http.invoke(hub("a"), obj, "work", "[]", timeout(60_000)));
    b.nextInvoke();
    long start = System.nanoTime();
    b.close();
    Http.Resp r = pending.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.errorName()).isEqualTo("ProviderGone");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
  }

  @Test
  void disconnectingUnpublishesEverythingTheConnectionPublished() {
    String obj = uniqueObject("gone");
    TestApp b = app("b").publish(obj, "m");
    assertThat(http.invoke(hub("a"), obj, "m", "[]", Map.of()).status()).isEqualTo(200);
    b.close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Http.Resp r = http.invoke(hub("a"), obj, "m", "[]", Map.of());
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.errorName()).isEqualTo("ObjectNotFound");
    });
  }

  @Test
  void anUnpublishedObjectIsNoLongerCallableAnywhere() {
    String obj = uniqueObject("tmp");
    TestApp b = app("b").publish(obj, "m");
    b.unpublish(obj);
    assertThat(http.invoke(hub("a"), obj, "m", "[]", Map.of()).errorName()).isEqualTo("ObjectNotFound");
    assertThat(http.invoke(hub("b"), obj, "m", "[]", Map.of()).errorName()).isEqualTo("ObjectNotFound");
  }

  @Test
  void aLocalProviderIsPreferredOverPeers() {
    String obj = uniqueObject("both");
    TestApp local = app("a").handler(f -> new TestApp.Result("local")).publish(obj, "m");
    app("b").handler(f -> new TestApp.Result("remote")).publish(obj, "m");
    for (int i = 0; i < 5; i++) {
      assertThat(http.invoke(hub("a"), obj, "m", "[]", Map.of()).json().getString("result")).isEqualTo("local");
    }
    assertThat(local.invokes).hasSize(5);
  }

  @Test
  void remoteProvidersAreUsedRoundRobinAndAPinSelectsTheProcess() {
    String obj = uniqueObject("shared");
    app("b").handler(f -> new TestApp.Result("b")).publish(obj, "who");
    app("c").handler(f -> new TestApp.Result("c")).publish(obj, "who");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 4; i++) seen.add(http.invoke(hub("a"), obj, "who", "[]", Map.of()).json().getString("result"));
    assertThat(seen).containsExactlyInAnyOrder("b", "c");
    for (int i = 0; i < 3; i++) {
      assertThat(http.invoke(hub("a"), obj, "who", "[]", Map.of("Procgroup-Process", "worker")).json().getString("result"))
          .isEqualTo("c");
    }
    Http.Resp nobody = http.invoke(hub("a"), obj, "who", "[]", Map.of("Procgroup-Process", "web"));
    assertThat(nobody.status()).isEqualTo(404);
  }

  @Test
  void aFanOutCallReachesEveryProviderAndAnswersWithEachReplyFailuresIncluded() {
    String obj = uniqueObject("everyone");
    app("a").handler(f -> new TestApp.Result("a")).publish(obj, "who");
    app("b").handler(f -> new TestApp.Result("b1")).publish(obj, "who");
    app("b").handler(f -> new TestApp.Result("b2")).publish(obj, "who");
    app("c").handler(f -> new TestApp.Error("RangeError", "c says no", null)).publish(obj, "who");
    Map<String, String> all = Map.of("Procgroup-Fanout", "all");
    Http.Resp r = http.invoke(hub("a"), obj, "who", "[]", all);
    assertThat(r.status()).isEqualTo(200);
    List<JsonObject> replies = r.json().getJsonArray("replies").stream().map(JsonObject.class::cast).toList();
    assertThat(replies).extracting(j -> j.getString("pod") + ":" + j.getValue("result"))
        .containsExactlyInAnyOrder("a:a", "b:b1", "b:b2", "c:null");
    JsonObject failed = replies.stream().filter(j -> j.containsKey("error")).findFirst().orElseThrow();
    assertThat(failed.getString("process")).isEqualTo("worker");
    assertThat(failed.getJsonObject("error").getMap()).containsEntry("name", "RangeError").containsEntry("source", "remote");

    // A pod pin, with or without fan-out; a pin nobody matches is ObjectNotFound, as for a process pin.
    Http.Resp podB = http.invoke(hub("a"), obj, "who", "[]", Map.of("Procgroup-Fanout", "all", "Procgroup-Pod", "b"));
    assertThat(podB.json().getJsonArray("replies").stream().map(o -> ((JsonObject) o).getString("result")))
        .containsExactlyInAnyOrder("b1", "b2");
    assertThat(http.invoke(hub("a"), obj, "who", "[]", Map.of("Procgroup-Pod", "c")).json().getValue("error"))
        .isNotNull();
    assertThat(http.invoke(hub("c"), obj, "who", "[]", Map.of("Procgroup-Pod", "a")).json().getString("result"))
        .isEqualTo("a");
    Http.Resp nobody = http.invoke(hub("a"), obj, "who", "[]", Map.of("Procgroup-Pod", "z", "Procgroup-Fanout", "all"));
    assertThat(nobody.status()).isEqualTo(404);
    assertThat(nobody.errorName()).isEqualTo("ObjectNotFound");
  }

  @Test
  void oneObjectIsDescribedWithItsMethodsPropertiesAndProviders() {
    String obj = uniqueObject("described");
    app("b").publishWithProperties(obj, List.of("add"), List.of("PI", "version"));
    app("c").publishWithProperties(obj, List.of("add", "sub"), List.of("PI"));
    Http.Resp r = http.get(hub("a"), "/v1/objects/" + obj);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("name")).isEqualTo(obj);
    assertThat(r.json().getJsonArray("methods").getList()).containsExactlyInAnyOrder("add", "sub");
    assertThat(r.json().getJsonArray("properties").getList()).containsExactlyInAnyOrder("PI", "version");
    assertThat(r.json().getJsonArray("providers").stream().map(p -> ((JsonObject) p).getString("pod")))
        .containsExactlyInAnyOrder("b", "c");
    Http.Resp missing = http.get(hub("a"), "/v1/objects/" + uniqueObject("nobody"));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errorName()).isEqualTo("ObjectNotFound");
  }

  @Test
  void unknownObjectsAndMethodsAre404() {
    String obj = uniqueObject("known");
    app("b").publish(obj, "m");
    Http.Resp noObject = http.invoke(hub("a"), "noSuchObject", "m", "[]", Map.of());
    assertThat(noObject.status()).isEqualTo(404);
    assertThat(noObject.errorName()).isEqualTo("ObjectNotFound");
    Http.Resp noMethod = http.invoke(hub("a"), obj, "other", "[]", Map.of());
    assertThat(noMethod.status()).isEqualTo(404);
    assertThat(noMethod.errorName()).isEqualTo("MethodNotFound");
  }

  @Test
  void anEventReachesEverySubscriberInTheGroup() {
    String event = uniqueObject("cache.flush");
    TestApp a1 = app("a").subscribe(event);
    TestApp b1 = app("b").subscribe(event);
    TestApp b2 = app("b").subscribe(event);
    TestApp bystander = app("b").subscribe("other.event");
    Http.Resp r = http.post(hub("c"), "/v1/events/" + event, "{\"keys\":[1,2]}");
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().getInteger("delivered")).isEqualTo(3);
    for (TestApp t : List.of(a1, b1, b2)) {
      JsonObject e = t.nextEvent();
      assertThat(e.getString("event")).isEqualTo(event);
      assertThat(e.getJsonObject("data")).isEqualTo(new JsonObject("{\"keys\":[1,2]}"));
      assertThat(e.getJsonObject("from")).isEqualTo(new JsonObject().put("pod", "c").put("process", "worker"));
    }
    assertThat(bystander.events).isEmpty();
  }

  /** The shared HTTP cases (clients/conformance/cases/http.json), which the Node and Java clients' tests run too. */
  @Test
  void theConformanceRequestsGetTheirStatusAndErrorAndTheSidecarKeepsServing() {
    String obj = uniqueObject("conformanceEcho");
    app("a").publish(obj, "echo");
    int a = hub("a");
    for (Object o : Conformance.cases("http").getJsonArray("cases")) {
      JsonObject c = (JsonObject) o;
      String body = c.containsKey("bodyBytes") ? "[\"" + "x".repeat(c.getInteger("bodyBytes")) + "\"]" : c.getString("body");
      Map<String, String> headers = new java.util.HashMap<>();
      c.getJsonObject("headers", new JsonObject()).forEach(h -> headers.put(h.getKey(), (String) h.getValue()));
      Http.Resp r = http.send(HttpMethod.valueOf(c.getString("method")), a, c.getString("path").replace("{object}", obj),
          body, headers);
      assertThat(r.status()).as(c.getString("name")).isEqualTo(c.getInteger("status"));
      if (c.containsKey("error")) {
        assertThat(r.errorName()).as(c.getString("name")).isEqualTo(c.getString("error"));
        assertThat(r.json().getJsonObject("error").getString("message")).isNotBlank();
        assertThat(r.json().getJsonObject("error").getString("source")).isEqualTo("hub");
      }
    }
    // a WebSocket on another path is refused
    WebSocketClient wsc = clientVertx.createWebSocketClient();
    assertThat(wsc.connect(a, "127.0.0.1", "/v1/elsewhere").toCompletionStage().toCompletableFuture())
        .failsWithin(Duration.ofSeconds(10));
    // still serving
    assertThat(http.invoke(a, obj, "echo", "[1]", Map.of()).status()).isEqualTo(200);
    assertThat(metrics(sidecar("a"))).contains("procgroup_hub_bad_requests_total{api=\"app\",reason=\"BadRequest\"}");
  }

  /** The shared WebSocket cases (clients/conformance/cases/frames.json): each frame's answer, in order, on one connection. */
  @Test
  void theConformanceFramesGetTheirAnswersInOrder() {
    TestApp ws = app("b");
    for (Object o : Conformance.cases("frames").getJsonArray("steps")) {
      JsonObject step = (JsonObject) o;
      ws.send(step.getString("send"));
      JsonObject answer = ws.nextAck();
      assertThat(answer.getString("op")).as(step.getString("send")).isEqualTo(step.getString("expect"));
      if (step.containsKey("reason")) assertThat(answer.getString("reason")).contains(step.getString("reason"));
    }
    assertThat(ws.isClosed()).isFalse();
  }

  @Test
  void thePeerApiRefusesMissingAndWrongTokens() {
    Sidecar b = sidecar("b");
    double before = metricValue(metrics(b), "procgroup_hub_peer_auth_failures_total");
    Http.Resp none = http.get(b.peerPort(), "/peer/v1/objects");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.errorName()).isEqualTo("Unauthorized");
    Http.Resp wrong = http.send(HttpMethod.POST, b.peerPort(), "/peer/v1/invoke/x/m", "[]",
        Map.of("Authorization", "Bearer another-groups-token"));
    assertThat(wrong.status()).isEqualTo(401);
    Http.Resp basic = http.send(HttpMethod.GET, b.peerPort(), "/peer/v1/objects", null,
        Map.of("Authorization", "Basic " + TOKEN));
    assertThat(basic.status()).isEqualTo(401);
    assertThat(metricValue(metrics(b), "procgroup_hub_peer_auth_failures_total")).isEqualTo(before + 3);
    Http.Resp ok = http.send(HttpMethod.GET, b.peerPort(), "/peer/v1/objects", null,
        Map.of("Authorization", "Bearer " + TOKEN));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().getString("pod")).isEqualTo("b");
  }

  @Test
  void probesAnswerAndMetricsCountCalls() {
    Sidecar a = sidecar("a");
    for (String probe : List.of("/healthz", "/readyz", "/startupz")) {
      assertThat(http.get(a.metricsPort(), probe).status()).isEqualTo(200);
    }
    String obj = uniqueObject("counted");
    app("b").publish(obj, "m");
    for (int i = 0; i < 3; i++) http.invoke(hub("a"), obj, "m", "[]", Map.of());
    String text = metrics(a);
    assertThat(metricValue(text, "procgroup_hub_calls_total{object=\"" + obj + "\",method=\"m\",route=\"remote\",outcome=\"ok\"}"))
        .isEqualTo(3);
    assertThat(metricValue(text, "procgroup_hub_call_duration_seconds_count{object=\"" + obj + "\",method=\"m\",route=\"remote\"}"))
        .isEqualTo(3);
    assertThat(metricValue(metrics(sidecar("b")), "procgroup_hub_served_calls_total{object=\"" + obj
        + "\",method=\"m\",caller=\"peer\",outcome=\"ok\"}")).isEqualTo(3);
    assertThat(text).contains("process_resident_memory_bytes ", "jvm_memory_used_bytes{area=\"heap\"}",
        "procgroup_hub_peers{state=\"ready\"}");
  }

  static double metricValue(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
    }
    return 0;
  }
}
