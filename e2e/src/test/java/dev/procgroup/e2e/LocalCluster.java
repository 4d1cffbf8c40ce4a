package dev.procgroup.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local single-node cluster (e2e/cluster) as the suite sees it: a client, and kubectl, helm and promtool
 * run as a user would. There is no fallback: without a running cluster every test fails, loudly.
 */
final class LocalCluster {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DEFAULT_KUBECONFIG = Path.of("/var/lib/procgroup-cluster/admin.kubeconfig");
  private static LocalCluster instance;

  final Path kubeconfig;
  final KubernetesClient client;
  final String kubectl;
  final String helm;
  /** Prometheus with Kubernetes service discovery (e2e/cluster/build-binaries.sh prometheus; Debian's has none). */
  final String prometheus;
  /** The OpenTelemetry Collector of TracingE2E (e2e/cluster/build-binaries.sh otelcol). */
  final String otelcol;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Result(int exitCode, String out) {}

  private LocalCluster() throws IOException {
    String env = System.getenv("KUBECONFIG");
    kubeconfig = env != null && !env.isBlank() ? Path.of(env) : DEFAULT_KUBECONFIG;
    if (!Files.isReadable(kubeconfig)) {
      throw new IllegalStateException("no local cluster: " + kubeconfig + " is missing. Start it with "
          + "e2e/cluster/up (the test command e2e/bin/run-all-tests does it for you)");
    }
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    Map<String, String> versions = versions();
    String cache = versions.getOrDefault("PROCGROUP_CACHE", "/var/cache/procgroup");
    kubectl = cache + "/k8s/" + versions.get("K8S_VERSION") + "/bin/kubectl";
    helm = cache + "/helm/" + versions.get("HELM_VERSION") + "/bin/helm";
    prometheus = cache + "/prometheus/" + versions.get("PROMETHEUS_VERSION") + "/bin/prometheus";
    otelcol = cache + "/otelcol/" + versions.get("OTELCOL_VERSION") + "/bin/procgroup-otelcol";
  }

  static synchronized LocalCluster get() throws IOException {
    if (instance == null) instance = new LocalCluster();
    return instance;
  }

  private static Map<String, String> versions() throws IOException {
    Map<String, String> m = new HashMap<>();
    for (String line : Files.readAllLines(ROOT.resolve("e2e/cluster/versions.env"))) {
      if (line.isBlank() || line.startsWith("#") || !line.contains("=")) continue;
      String key = line.substring(0, line.indexOf('='));
      String value = line.substring(line.indexOf('=') + 1);
      if (value.startsWith("${")) value = value.replaceAll("^\\$\\{[A-Z_]+:-(.*)}$", "$1");
      m.put(key, value);
    }
    return m;
  }

  /**
   * Runs a command with a deadline that fires: its output goes to a file (read after it ended), so a command
   * that hangs with its pipe open cannot block the test past {@code timeout}.
   */
  Result run(Duration timeout, String stdin, String... command) {
    Path out = null;
    try {
      out = Files.createTempFile("procgroup-e2e-", ".out");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process p = pb.start();
      if (stdin != null) {
        try (var in = p.getOutputStream()) { in.write(stdin.getBytes(StandardCharsets.UTF_8)); }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command) + "\n"
            + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out));
    } catch (IOException e) {
      throw new AssertionError("could not run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      if (out != null) out.toFile().delete();
    }
  }

  /** Pod Security level enforced on every namespace the suites make (what the product promises to run under). */
  static final String POD_SECURITY = "restricted";

  /** A namespace with restricted Pod Security enforced (and warned and audited), as a security-minded user makes it. */
  void createRestrictedNamespace(String name) {
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(name)
        .addToLabels("pod-security.kubernetes.io/enforce", POD_SECURITY)
        .addToLabels("pod-security.kubernetes.io/warn", POD_SECURITY)
        .addToLabels("pod-security.kubernetes.io/audit", POD_SECURITY).endMetadata().build()).create();
  }

  /** A restricted namespace (createRestrictedNamespace) named PREFIX-<random hex>, so that runs never share one. */
  String newRestrictedNamespace(String prefix) {
    String name = prefix + "-" + Long.toHexString(System.nanoTime()).substring(6);
    createRestrictedNamespace(name);
    return name;
  }

  /** Waits (up to 4 minutes) until the group's phase is Running; returns that status. */
  dev.procgroup.api.v1alpha1.ProcessGroupStatus awaitRunning(String ns, String group) {
    var pg = client.resources(dev.procgroup.api.v1alpha1.ProcessGroup.class).inNamespace(ns).withName(group);
    org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() -> {
      var g = pg.get();
      return g != null && g.getStatus() != null && "Running".equals(g.getStatus().getPhase());
    });
    return pg.get().getStatus();
  }

  /** kubectl, which must succeed. */
  String kubectl(String... args) {
    Result r = kubectlResult(args);
    assertThat(r.exitCode()).as("kubectl %s\n%s", String.join(" ", args), r.out()).isZero();
    return r.out();
  }

  Result kubectlResult(String... args) {
    List<String> cmd = new ArrayList<>(List.of(kubectl));
    cmd.addAll(List.of(args));
    return run(Duration.ofMinutes(3), null, cmd.toArray(String[]::new));
  }

  String helm(String... args) {
    List<String> cmd = new ArrayList<>(List.of(helm));
    cmd.addAll(List.of(args));
    Result r = run(Duration.ofMinutes(5), null, cmd.toArray(String[]::new));
    assertThat(r.exitCode()).as("helm %s\n%s", String.join(" ", args), r.out()).isZero();
    return r.out();
  }

  /**
   * The chart as the test command installed it (or ProcgroupE2E, with its own values); installed here with its
   * defaults only when it is not (a class that runs after ProcgroupE2E's uninstall), so that no other suite's values
   * are overwritten.
   */
  void installChartUnlessInstalled() {
    if (run(Duration.ofMinutes(1), null, helm, "status", "procgroup", "--namespace", ProcgroupE2E.OPERATOR_NS).exitCode() != 0) {
      helm("upgrade", "--install", "procgroup", ROOT.resolve("helm/procgroup").toString(),
          "--namespace", ProcgroupE2E.OPERATOR_NS, "--create-namespace", "--wait", "--timeout", "180s");
    }
  }

  /**
   * The group goes first (the operator's ordered stop, highest order first), then the namespace, waited for: no group
   * is left behind for a later uninstall test.
   */
  void deleteGroupThenNamespace(String ns, String group) {
    kubectlResult("delete", "-n", ns, "procgroup/" + group, "--wait=true", "--timeout=180s");
    client.namespaces().withName(ns).delete();
    org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(4)).until(() -> client.namespaces().withName(ns).get() == null);
  }

  /** promtool check metrics on a scrape; returns promtool's findings (empty when clean). */
  Result promtool(String metrics) {
    return run(Duration.ofSeconds(30), metrics, "promtool", "check", "metrics");
  }

  /** A hub sidecar's /metrics scrape, from the node (its metrics port on the pod IP). */
  String sidecarMetrics(String podIp) throws IOException, InterruptedException {
    return new String(get("http://" + podIp + ":" + dev.procgroup.api.v1alpha1.Reserved.METRICS_PORT + "/metrics").body(),
        StandardCharsets.UTF_8);
  }

  String sidecarMetrics(io.fabric8.kubernetes.api.model.Pod pod) throws IOException, InterruptedException {
    return sidecarMetrics(pod.getStatus().getPodIP());
  }

  HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
