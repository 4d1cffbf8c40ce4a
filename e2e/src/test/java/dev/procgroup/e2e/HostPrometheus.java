package dev.procgroup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus on the node (built from the Go module proxy with Kubernetes service discovery: Debian's package,
 * kept for promtool, is built without it), scraping the local cluster through
 * Kubernetes service discovery with the scrape configurations of the chart's own PodMonitor and ServiceMonitor
 * ({@link MonitorScrapeConfig}), and loading the chart's alert rules. Listens on loopback only; stopped by
 * {@link #close()}; its data lives in a temporary directory.
 */
final class HostPrometheus implements AutoCloseable {
  /** Below the kernel's ephemeral port range, so no outgoing connection can hold it. */
  static final int PORT = 29090;
  static final String SCRAPE_INTERVAL = "5s";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HostPrometheus(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /** Renders the chart with its monitors, writes the configuration and starts Prometheus; returns once it is ready. */
  static HostPrometheus start(LocalCluster cluster, String releaseNamespace) throws Exception {
    String rendered = cluster.helm("template", "procgroup", LocalCluster.ROOT.resolve("helm/procgroup").toString(),
        "--namespace", releaseNamespace, "--set", "metrics.podMonitor.enabled=true",
        "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.podMonitor.interval=" + SCRAPE_INTERVAL);
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<Object> jobs = new ArrayList<>();
    for (JsonNode doc : yaml.readValues(yaml.getFactory().createParser(rendered), JsonNode.class).readAll()) {
      if (doc == null || doc.isNull()) continue;
      String kind = doc.path("kind").asText();
      if ("PodMonitor".equals(kind)) jobs.add(MonitorScrapeConfig.podMonitor(doc, cluster.kubeconfig.toString(), SCRAPE_INTERVAL));
      if ("ServiceMonitor".equals(kind)) jobs.add(MonitorScrapeConfig.serviceMonitor(doc, cluster.kubeconfig.toString(), SCRAPE_INTERVAL));
    }
    if (jobs.size() != 2) throw new AssertionError("expected the chart's PodMonitor and ServiceMonitor, got " + jobs.size());
    Path dir = Files.createTempDirectory("procgroup-prometheus-");
    Files.copy(LocalCluster.ROOT.resolve("helm/procgroup/alerts/procgroup-alerts.yaml"), dir.resolve("alerts.yaml"));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("global", Map.of("scrape_interval", SCRAPE_INTERVAL, "evaluation_interval", SCRAPE_INTERVAL));
    config.put("rule_files", List.of(dir.resolve("alerts.yaml").toString()));
    config.put("scrape_configs", jobs);
    yaml.writeValue(dir.resolve("prometheus.yml").toFile(), config);
    if (!Files.isExecutable(Path.of(cluster.prometheus))) {
      throw new AssertionError("no " + cluster.prometheus + ": e2e/cluster/build-binaries.sh all builds it");
    }
    Process p = new ProcessBuilder(cluster.prometheus, "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + PORT,
        "--storage.tsdb.retention.time=1h", "--log.level=warn").redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    HostPrometheus prometheus = new HostPrometheus(p, dir);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) throw new AssertionError("prometheus exited: " + prometheus.log());
      try {
        if (prometheus.get("/-/ready").statusCode() == 200) return prometheus;
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(250);
    }
    prometheus.close();
    throw new AssertionError("prometheus not ready in 60 s: " + prometheus.log());
  }

  /** An instant query; the result array (throws with Prometheus' error for a query that does not parse). */
  JsonNode query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode body = JSON.readTree(r.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new AssertionError("query failed (" + r.statusCode() + "): " + promql + "\n" + r.body());
    }
    return body.path("data").path("result");
  }

  /** The active targets: job -> health of each. */
  JsonNode targets() throws IOException, InterruptedException {
    return JSON.readTree(get("/api/v1/targets?state=active").body()).path("data").path("activeTargets");
  }

  /** The alerts Prometheus holds now (pending and firing). */
  JsonNode alerts() throws IOException, InterruptedException {
    return JSON.readTree(get("/api/v1/alerts").body()).path("data").path("alerts");
  }

  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
  }
}
