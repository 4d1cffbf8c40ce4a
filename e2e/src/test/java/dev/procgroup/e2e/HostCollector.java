package dev.procgroup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenTelemetry Collector on the node (e2e/cluster/otelcol: the OTLP receiver and the file exporter, built by
 * e2e/cluster/build-binaries.sh otelcol), listening for OTLP/HTTP on the node's address so that pods reach it, and
 * writing every batch it received to a file as OTLP JSON: what the suite reads back. Stopped by {@link #close()}.
 */
final class HostCollector implements AutoCloseable {
  /** Below the kernel's ephemeral port range, so no outgoing connection can hold it. */
  static final int PORT = 24318;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path dir;
  final String endpoint;

  private HostCollector(Process process, Path dir, String endpoint) {
    this.process = process;
    this.dir = dir;
    this.endpoint = endpoint;
  }

  static HostCollector start(String binary, String host) throws Exception {
    if (!Files.isExecutable(Path.of(binary))) {
      throw new AssertionError("no " + binary + ": e2e/cluster/build-binaries.sh otelcol builds it");
    }
    Path dir = Files.createTempDirectory("procgroup-otelcol-");
    Files.writeString(dir.resolve("config.yaml"), """
        receivers:
          otlp:
            protocols:
              http:
                endpoint: %s:%d
        exporters:
          file:
            path: %s
            flush_interval: 200ms
        service:
          telemetry:
            metrics:
              level: none
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [file]
        """.formatted(host, PORT, dir.resolve("spans.jsonl")));
    Process p = new ProcessBuilder(binary, "--config=" + dir.resolve("config.yaml")).redirectErrorStream(true)
        .redirectOutput(dir.resolve("collector.log").toFile()).start();
    HostCollector c = new HostCollector(p, dir, "http://" + host + ":" + PORT);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) throw new AssertionError("the collector exited: " + c.log());
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, PORT), 500);
        return c;
      } catch (IOException notYet) {
        Thread.sleep(250);
      }
    }
    c.close();
    throw new AssertionError("the collector did not listen in 60 s: " + c.log());
  }

  /** A span as the collector wrote it, with its resource's service.name and k8s.pod.name. */
  record Span(String service, String pod, JsonNode span) {
    String traceId() { return span.path("traceId").asText(); }
    String spanId() { return span.path("spanId").asText(); }
    String parentSpanId() { return span.path("parentSpanId").asText(""); }
    int kind() { return span.path("kind").asInt(); }
    String attribute(String key) {
      for (JsonNode a : span.path("attributes")) if (key.equals(a.path("key").asText())) return a.path("value").path("stringValue").asText();
      return null;
    }
  }

  /** Every span in the collector's output so far. */
  List<Span> spans() throws IOException {
    List<Span> out = new ArrayList<>();
    Path file = dir.resolve("spans.jsonl");
    if (!Files.exists(file)) return out;
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) continue;
      for (JsonNode rs : JSON.readTree(line).path("resourceSpans")) {
        String service = null, pod = null;
        for (JsonNode a : rs.path("resource").path("attributes")) {
          if ("service.name".equals(a.path("key").asText())) service = a.path("value").path("stringValue").asText();
          if ("k8s.pod.name".equals(a.path("key").asText())) pod = a.path("value").path("stringValue").asText();
        }
        for (JsonNode ss : rs.path("scopeSpans")) for (JsonNode s : ss.path("spans")) out.add(new Span(service, pod, s));
      }
    }
    return out;
  }

  Path output() {
    return dir.resolve("spans.jsonl");
  }

  String log() {
    try {
      return Files.readString(dir.resolve("collector.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
