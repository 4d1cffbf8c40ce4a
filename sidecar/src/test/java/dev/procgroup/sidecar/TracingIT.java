package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.testing.TestPorts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real sidecars with span export on, sending OTLP/HTTP JSON to a receiver in the test (the e2e suite sends them to
 * a real OpenTelemetry collector): the hops of a call are one trace, parented as the W3C context says.
 */
class TracingIT {

  static final String TOKEN = "tracing-it-token-0123";
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String APP_SPAN = "00f067aa0ba902b7";
  static Vertx vertx = Vertx.vertx();
  static Http http = new Http(vertx);
  static HttpServer receiver;
  /** Every span the receiver got, with its resource's k8s.pod.name under "pod". */
  static final List<JsonObject> SPANS = new CopyOnWriteArrayList<>();
  static volatile int receiverStatus = 200;
  static Sidecar a, b;
  static final List<TestApp> APPS = new ArrayList<>();

  @BeforeAll
  static void start() {
    receiver = Await.of(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      if (req.path().equals("/v1/traces") && receiverStatus == 200) {
        for (Object rs : new JsonObject(body).getJsonArray("resourceSpans")) {
          JsonObject r = (JsonObject) rs;
          String pod = attributes(r.getJsonObject("resource").getJsonArray("attributes")).get("k8s.pod.name");
          for (Object ss : r.getJsonArray("scopeSpans")) {
            for (Object s : ((JsonObject) ss).getJsonArray("spans")) SPANS.add(((JsonObject) s).copy().put("pod", pod));
          }
        }
      }
      req.response().setStatusCode(req.path().equals("/v1/traces") ? receiverStatus : 404).end("{}");
    })).listen(0, "127.0.0.1"));
    int peerA = TestPorts.free(), peerB = TestPorts.free();
    URI otlp = URI.create("http://127.0.0.1:" + receiver.actualPort());
    a = sidecar("a", "web", peerA, "b", peerB, otlp);
    b = sidecar("b", "background", peerB, "a", peerA, otlp);
  }

  static Sidecar sidecar(String pod, String process, int peerPort, String other, int otherPort, URI otlp) {
    return Await.of(new Sidecar(SidecarConfig.builder().group("tracing-it").process(process).podName(pod)
        .hubToken(TOKEN).hubPort(0).peerHost("127.0.0.1").peerPort(peerPort).metricsHost("127.0.0.1").metricsPort(0)
        .appMetrics("off").staticPeers(List.of(new SidecarConfig.StaticPeer(other, "127.0.0.1:" + otherPort)))
        .otlpEndpoint(otlp).build()).start());
  }

  @AfterAll
  static void stop() {
    APPS.forEach(TestApp::close);
    Await.of(a.stop());
    Await.of(b.stop());
    Await.of(vertx.close());
  }

  static Map<String, String> attributes(JsonArray attrs) {
    return attrs.stream().map(JsonObject.class::cast).collect(Collectors.toMap(o -> o.getString("key"),
        o -> o.getJsonObject("value").getString("stringValue")));
  }

  static TestApp publisher(String object) {
    TestApp app = TestApp.connect(vertx, b.hubPort()).publish(object, "take");
    APPS.add(app);
    await().atMost(Duration.ofSeconds(10)).until(() -> http.invoke(a.hubPort(), object, "take", "[]",
        Map.of("traceparent", "00-" + TRACE + "-" + APP_SPAN + "-00")).status() == 200); // unsampled: no spans
    app.invokes.clear();
    return app;
  }

  static List<JsonObject> spansOf(String traceId, int n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> SPANS.stream().filter(s -> traceId.equals(s.getString("traceId"))).count() >= n);
    return SPANS.stream().filter(s -> traceId.equals(s.getString("traceId"))).toList();
  }

  @Test
  void aRemoteCallIsOneTraceOfAClientSpanOnTheCallersSidecarAndAServerSpanOnTheProvidersThatTheProviderContinues() {
    String trace = "11112222333344445555666677778888";
    TestApp app = publisher("traced");
    Http.Resp r = http.invoke(a.hubPort(), "traced", "take", "[1]",
        Map.of("traceparent", "00-" + trace + "-" + APP_SPAN + "-01", "tracestate", "vendor=opaque"));
    assertThat(r.status()).isEqualTo(200);

    List<JsonObject> spans = spansOf(trace, 2);
    assertThat(spans).hasSize(2);
    JsonObject client = spans.stream().filter(s -> s.getInteger("kind") == Tracing.CLIENT).findFirst().orElseThrow();
    JsonObject server = spans.stream().filter(s -> s.getInteger("kind") == Tracing.SERVER).findFirst().orElseThrow();
    assertThat(client.getString("pod")).isEqualTo("a");
    assertThat(client.getString("parentSpanId")).isEqualTo(APP_SPAN);
    assertThat(client.getString("name")).isEqualTo("traced/take");
    assertThat(client.getString("traceState")).isEqualTo("vendor=opaque");
    assertThat(attributes(client.getJsonArray("attributes"))).containsEntry("rpc.service", "traced")
        .containsEntry("rpc.method", "take").containsEntry("procgroup.route", "remote")
        .containsEntry("procgroup.peer.pod", "b").containsEntry("procgroup.outcome", "ok");
    assertThat(client.getJsonObject("status").getInteger("code")).isEqualTo(OtlpJson.STATUS_OK);
    assertThat(server.getString("pod")).isEqualTo("b");
    assertThat(server.getString("parentSpanId")).isEqualTo(client.getString("spanId"));
    assertThat(attributes(server.getJsonArray("attributes"))).containsEntry("procgroup.peer.pod", "a");
    assertThat(Long.parseLong(server.getString("startTimeUnixNano")))
        .isBetween(Long.parseLong(client.getString("startTimeUnixNano")), Long.parseLong(client.getString("endTimeUnixNano")));

    // the provider's invoke frame continues the server span; the caller's answer names its sidecar's span
    JsonObject invoke = app.nextInvoke();
    assertThat(invoke.getString("traceparent")).isEqualTo("00-" + trace + "-" + server.getString("spanId") + "-01");
    assertThat(invoke.getString("tracestate")).isEqualTo("vendor=opaque");
    assertThat(r.header("traceresponse")).isEqualTo("00-" + trace + "-" + client.getString("spanId") + "-01");
  }

  @Test
  void aCallWithoutContextStartsATraceAndAFailedCallsSpansSayHow() {
    TestApp app = publisher("failing");
    app.handler(f -> new TestApp.Error("TypeError", "bad url", null));
    Http.Resp r = http.invoke(a.hubPort(), "failing", "take", "[]", Map.of());
    assertThat(r.status()).isEqualTo(500);
    String traceresponse = r.header("traceresponse");
    assertThat(traceresponse).matches(Rules.name("traceparent"));
    String trace = traceresponse.substring(3, 35);
    List<JsonObject> spans = spansOf(trace, 2);
    JsonObject client = spans.stream().filter(s -> s.getInteger("kind") == Tracing.CLIENT).findFirst().orElseThrow();
    assertThat(client.containsKey("parentSpanId")).as("a root span").isFalse();
    for (JsonObject s : spans) {
      assertThat(s.getJsonObject("status").getInteger("code")).isEqualTo(OtlpJson.STATUS_ERROR);
      assertThat(attributes(s.getJsonArray("attributes"))).containsEntry("procgroup.outcome", "remote_error");
    }
  }

  @Test
  void anUnsampledContextIsForwardedAsReceivedAndMakesNoSpan() {
    TestApp app = publisher("unsampled");
    String tp = "00-99990000999900009999000099990000-" + APP_SPAN + "-00";
    Http.Resp r = http.invoke(a.hubPort(), "unsampled", "take", "[]", Map.of("traceparent", tp));
    assertThat(r.status()).isEqualTo(200);
    assertThat(app.nextInvoke().getString("traceparent")).isEqualTo(tp);
    assertThat(r.header("traceresponse")).isNull();
    http.invoke(a.hubPort(), "unsampled", "take", "[]", Map.of()); // a sampled call after it, as a marker
    await().atMost(Duration.ofSeconds(10)).until(() -> SPANS.stream().anyMatch(s -> "unsampled/take".equals(s.getString("name"))));
    assertThat(SPANS).noneMatch(s -> "99990000999900009999000099990000".equals(s.getString("traceId")));
  }

  @Test
  void aCollectorThatRefusesCostsTheCallsNothingAndIsCounted() {
    TestApp app = publisher("refused");
    receiverStatus = 503;
    try {
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        assertThat(http.invoke(a.hubPort(), "refused", "take", "[]", Map.of()).status()).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> AbstractHubIT.metricValue(http.get(a.metricsPort(), "/metrics").body(),
          "procgroup_hub_trace_export_failures_total") >= 1);
      assertThat(AbstractHubIT.metricValue(http.get(a.metricsPort(), "/metrics").body(),
          "procgroup_hub_trace_spans_dropped_total{reason=\"export_failed\"}")).isGreaterThanOrEqualTo(1);
    } finally {
      receiverStatus = 200;
    }
    app.invokes.clear();
  }

  @Test
  void aMalformedTraceparentIsABadRequestOnBothPorts() {
    publisher("malformed");
    Http.Resp r = http.invoke(a.hubPort(), "malformed", "take", "[]", Map.of("traceparent", "00-xyz-01"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorName()).isEqualTo("BadRequest");
    Http.Resp peer = http.send(io.vertx.core.http.HttpMethod.POST, b.peerPort(), "/peer/v1/invoke/malformed/take", "[]",
        Map.of("Authorization", "Bearer " + TOKEN, "traceparent", "00-" + TRACE + "-" + APP_SPAN + "-01",
            "tracestate", "BAD"));
    assertThat(peer.status()).isEqualTo(400);
  }
}
