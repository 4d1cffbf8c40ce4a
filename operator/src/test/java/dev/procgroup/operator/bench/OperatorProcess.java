package dev.procgroup.operator.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator as its own JVM, started like the image starts it (flags and environment from bench/operator/run.sh,
 * which reads them from operator/pom.xml's Jib configuration), so that its RSS and CPU can be read from /proc and its
 * request counters from its own /metrics.
 */
final class OperatorProcess implements AutoCloseable {
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
  private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)\\} ([0-9.eE+-]+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  final Process process;
  final int port;
  private final Path log;

  OperatorProcess(List<String> jvmFlags, Map<String, String> environment, String classpath, Path kubeconfig,
      Path log) throws IOException {
    try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
    this.log = log;
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", classpath, "dev.procgroup.operator.ProcgroupOperator"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(environment);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("PROCGROUP_HTTP_PORT", String.valueOf(port));
    pb.environment().put("PROCGROUP_LOG_FORMAT", "text");
    pb.environment().put("PROCGROUP_LOG_LEVEL", "WARN");
    process = pb.start();
  }

  /** Waits for /readyz (every informer synced). */
  void awaitReady(long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end && process.isAlive()) {
      try {
        if (get("/readyz").statusCode() == 200) return;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("operator not ready within " + timeoutMs + " ms; see " + log);
  }

  long rssKiB() {
    return status("VmRSS:");
  }

  /** The kernel's high-water mark of the resident set: the peak no sampling interval can miss. */
  long peakRssKiB() {
    return status("VmHWM:");
  }

  private long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith(field)) return Long.parseLong(line.replaceAll("\\D", ""));
      }
    } catch (IOException e) {
      // exited
    }
    return -1;
  }

  /** User + system CPU seconds so far. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS_PER_SECOND;
    } catch (IOException e) {
      return -1;
    }
  }

  /** One sample of the operator's /metrics: name, labels, value. */
  record Sample(String name, Map<String, String> labels, double value) { }

  List<Sample> scrape() throws IOException, InterruptedException {
    List<Sample> out = new ArrayList<>();
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith("#") || line.isBlank()) continue;
      Matcher m = SAMPLE.matcher(line);
      Map<String, String> labels = new TreeMap<>();
      if (m.matches()) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) labels.put(l.group(1), l.group(2));
        out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
      } else {
        String[] parts = line.split(" ");
        if (parts.length == 2) out.add(new Sample(parts[0], labels, Double.parseDouble(parts[1])));
      }
    }
    return out;
  }

  /** A counter's samples summed by the value of one label ("" for a label it does not have). */
  Map<String, Double> sumBy(String metric, String label) throws IOException, InterruptedException {
    Map<String, Double> sums = new TreeMap<>();
    for (Sample s : scrape()) {
      if (s.name().equals(metric)) sums.merge(s.labels().getOrDefault(label, ""), s.value(), Double::sum);
    }
    return sums;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The last lines of its log, for a report on why it died. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: a JFR recording is written on exit
    if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }
}
