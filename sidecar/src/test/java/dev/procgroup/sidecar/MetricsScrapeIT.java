package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real /metrics scrape, with app process metrics pinned to a child process we start (PROCGROUP_APP_PID), checked
 * by Prometheus' own {@code promtool check metrics}. promtool comes from Debian's {@code prometheus} package; if it
 * is missing the test fails rather than skips.
 */
class MetricsScrapeIT {

  static Process app;
  static Sidecar sidecar;
  static Vertx vertx = Vertx.vertx();
  static Http http = new Http(vertx);

  @BeforeAll
  static void start() throws Exception {
    app = new ProcessBuilder("sleep", "300").start();
    SidecarConfig config = SidecarConfig.builder().group("metrics-it").process("web").podName("m").hubToken("t")
        .hubPort(0).peerHost("127.0.0.1").peerPort(0).metricsHost("127.0.0.1").metricsPort(0)
        .appPid(app.pid()).appMetrics("on").staticPeers(List.of()).build();
    sidecar = Await.of(new Sidecar(config).start());
  }

  @AfterAll
  static void stop() {
    Await.of(sidecar.stop());
    app.destroy();
    Await.of(vertx.close());
  }

  @Test
  void theScrapePassesPromtoolAndCarriesTheAppProcessFigures() throws Exception {
    // Populate the labelled families: a local call, a not-found call, an event, a bad request.
    TestApp pub = TestApp.connect(vertx, sidecar.hubPort()).publish("svc", "m");
    assertThat(http.invoke(sidecar.hubPort(), "svc", "m", "[]", Map.of()).status()).isEqualTo(200);
    assertThat(http.invoke(sidecar.hubPort(), "nope", "m", "[]", Map.of()).status()).isEqualTo(404);
    assertThat(http.post(sidecar.hubPort(), "/v1/events/e", "1").status()).isEqualTo(202);
    assertThat(http.post(sidecar.hubPort(), "/v1/invoke/svc/m", "[").status()).isEqualTo(400);
    String text = http.get(sidecar.metricsPort(), "/metrics").body();
    pub.close();

    File promtool = findPromtool();
    assertThat(promtool).as("promtool (apt-get install prometheus) is required for this test").isNotNull();
    // Output to a file, read after the process ended: the 30 s deadline fires even if promtool hangs.
    File findings = File.createTempFile("promtool-", ".out");
    findings.deleteOnExit();
    Process check = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true)
        .redirectOutput(findings).start();
    try (var in = check.getOutputStream()) { in.write(text.getBytes(StandardCharsets.UTF_8)); }
    boolean ended = check.waitFor(30, TimeUnit.SECONDS);
    if (!ended) check.destroyForcibly();
    String out = java.nio.file.Files.readString(findings.toPath());
    assertThat(ended).as("promtool ended within 30 s: %s", out).isTrue();
    assertThat(check.exitValue()).as("promtool check metrics said: %s", out).isZero();

    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_up")).isEqualTo(1);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_processes")).isEqualTo(1);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_resident_memory_bytes")).isGreaterThan(0);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_threads")).isGreaterThanOrEqualTo(1);
    // this JVM runs as the app's user here, so its fd table is readable (across UIDs it is not: CrossUidIT)
    assertThat(AbstractHubIT.metricValue(text, "procgroup_app_open_fds")).isGreaterThanOrEqualTo(3);
    double start = AbstractHubIT.metricValue(text, "procgroup_app_start_time_seconds");
    assertThat(start).isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(120.0));
    assertThat(AbstractHubIT.metricValue(text, "procgroup_hub_calls_total{object=\"svc\",method=\"m\",route=\"local\",outcome=\"ok\"}"))
        .isEqualTo(1);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_hub_calls_total{object=\"nope\",method=\"m\",route=\"none\",outcome=\"not_found\"}"))
        .isEqualTo(1);
    assertThat(AbstractHubIT.metricValue(text, "procgroup_hub_events_broadcast_total")).isEqualTo(1);
    assertThat(text).contains("procgroup_hub_call_duration_seconds_bucket{object=\"svc\",method=\"m\",route=\"local\",le=\"0.0001\"}",
        "jvm_gc_collections_total{gc=", "process_cpu_seconds_total ");
  }

  /** What kubectl pg describe reads through the pod proxy: this pod's published objects, gone with their publisher. */
  @Test
  void theOpsPortListsThisPodsPublishedObjects() throws Exception {
    TestApp pub = TestApp.connect(vertx, sidecar.hubPort()).publish("catalog", "find");
    Http.Resp r = http.get(sidecar.metricsPort(), "/objects");
    assertThat(r.status()).isEqualTo(200);
    var doc = new io.vertx.core.json.JsonObject(r.body());
    assertThat(doc.getString("pod")).isEqualTo("m");
    assertThat(doc.getString("process")).isEqualTo("web");
    assertThat(doc.getJsonArray("objects").encode()).contains("{\"name\":\"catalog\",\"methods\":[\"find\"]}");
    pub.close();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(http.get(sidecar.metricsPort(), "/objects").body()).doesNotContain("catalog"));
  }

  static File findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      File f = new File(dir, "promtool");
      if (f.canExecute()) return f;
    }
    return null;
  }
}
