package dev.procgroup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The kubectl plugin (clients/kubectl-pg) as a user runs it, on the demo group (examples/page-snapshot) in a namespace
 * of its own: {@code kubectl pg list} with CPU and memory read through the API server's pod proxy, {@code describe}
 * with the hub objects, {@code logs -f} across an ordered {@code restart}, {@code scale}, and the error paths with
 * their exit codes. Every command's output goes to target/kubectl-pg-output.txt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlPgE2E {
  static final Path PLUGIN_DIR = LocalCluster.ROOT.resolve("clients/kubectl-pg/bin");
  static final Path PLUGIN = PLUGIN_DIR.resolve("kubectl-pg");
  static final String GROUP = "page-snapshot";
  static final Duration LONG = Duration.ofMinutes(4);

  LocalCluster cluster;
  KubernetesClient client;
  String ns;
  final StringBuilder transcript = new StringBuilder();

  @BeforeAll
  void demoGroupRunning() throws Exception {
    assertThat(PLUGIN).as("the plugin is built by clients/kubectl-pg/build (e2e/bin/run-all-tests does it)").isExecutable();
    cluster = LocalCluster.get();
    client = cluster.client;
    cluster.installChartUnlessInstalled();
    ns = cluster.newRestrictedNamespace("kpg");
    cluster.kubectl("apply", "-n", ns, "-f", LocalCluster.ROOT.resolve("examples/page-snapshot/procgroup.yaml").toString());
    cluster.awaitRunning(ns, GROUP);
  }

  @AfterAll
  void cleanUp() throws Exception {
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/kubectl-pg-output.txt"), transcript.toString());
    if (ns == null) return;
    cluster.deleteGroupThenNamespace(ns, GROUP);
  }

  // -- list ---------------------------------------------------------------------------------------------------

  @Test
  @Order(1)
  void listShowsEveryProcessWithCpuAndMemoryFromTheSidecarsThroughThePodProxy() throws Exception {
    // As kubectl's plugin: kubectl finds kubectl-pg on the PATH.
    LocalCluster.Result r = kubectlPlugin("pg", "-n", ns, "list", GROUP);
    assertThat(r.exitCode()).as(r.out()).isZero();
    String out = r.out();
    assertThat(out).doesNotContain("warning: no metrics");
    assertThat(out).contains("GROUP page-snapshot   phase Running   ready 4/4   processes 3/3");
    assertThat(out).containsPattern("(?m)^ORDER\\s+PROCESS\\s+READY\\s+RESTARTS\\s+PHASE\\s+CPU\\s+MEMORY$");
    // Each process: its order, ready/desired, restarts, phase, a CPU share and a resident memory in Mi.
    assertThat(out).containsPattern("(?m)^0\\s+agent\\s+1/1\\s+0\\s+Running\\s+\\d+(\\.\\d)?%\\s+\\d+Mi$")
        .containsPattern("(?m)^1\\s+web\\s+2/2\\s+0\\s+Running\\s+\\d+(\\.\\d)?%\\s+\\d+Mi$")
        .containsPattern("(?m)^1\\s+background\\s+1/1\\s+0\\s+Running\\s+\\d+(\\.\\d)?%\\s+\\d+(Mi|\\.\\dGi)$");
    assertThat(out).containsPattern("(?m)^\\s+CONDITION\\s+STATUS\\s+REASON\\s+AGE\\s+MESSAGE$")
        .containsPattern("(?m)^\\s+Ready\\s+True\\s+\\S+");

    // -o json: the same figures per pod; the memory is the app's RSS (background runs Chromium: well above 50 MiB).
    JsonNode json = new ObjectMapper().readTree(pg("-n", ns, "list", GROUP, "-o", "json"));
    JsonNode group = json.path("groups").get(0);
    assertThat(group.path("name").asText()).isEqualTo(GROUP);
    assertThat(group.path("namespace").asText()).isEqualTo(ns);
    for (JsonNode p : group.path("processes")) {
      assertThat(p.path("pods").size()).as(p.toString()).isEqualTo(p.path("desired").asInt());
      for (JsonNode pod : p.path("pods")) {
        assertThat(pod.path("metricsError").isMissingNode()).as(pod.toString()).isTrue();
        assertThat(pod.path("memoryBytes").asDouble()).as(pod.toString()).isGreaterThan(10 * 1024 * 1024);
        assertThat(pod.path("cpuPercent").isNumber()).as(pod.toString()).isTrue();
      }
    }
    assertThat(processNode(group, "background").path("memoryBytes").asDouble()).isGreaterThan(50 * 1024 * 1024);

    // CPU is a rate over two scrapes: idle apps show ~0%, so burn one core in agent's app container (a process the
    // sidecar counts: the pod shares one PID namespace) and list while it runs.
    String agent = podNames("agent").get(0);
    Process burner = new ProcessBuilder(cluster.kubectl, "--kubeconfig=" + cluster.kubeconfig, "exec", "-n", ns, agent, "-c",
        "agent", "--", "node", "-e", "const end = Date.now() + 8000; while (Date.now() < end) {}")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      Thread.sleep(2000);
      JsonNode busy = new ObjectMapper().readTree(pg("-n", ns, "list", GROUP, "-o", "json")).path("groups").get(0);
      assertThat(processNode(busy, "agent").path("cpuPercent").asDouble()).as("agent while burning a core: %s", busy)
          .isGreaterThan(20.0);
      assertThat(pg("-n", ns, "list", GROUP)).containsPattern("(?m)^0\\s+agent\\s+1/1\\s+0\\s+Running\\s+[1-9]\\d+%\\s+\\d+Mi$");
    } finally {
      burner.waitFor(20, TimeUnit.SECONDS);
      burner.destroyForcibly();
    }
    List<String> webPods = podNames("web");
    String wide = pg("-n", ns, "list", GROUP, "-o", "wide");
    assertThat(wide).contains(String.join(",", webPods)).contains("page-snapshot-web." + ns + ".svc");
    assertThat(pg("-n", ns, "list", GROUP, "-o", "yaml")).contains("name: " + GROUP).contains("memoryBytes:");
    assertThat(pg("list", "-A")).contains("GROUP " + ns + "/" + GROUP);
    assertThat(pg("-n", ns, "list")).contains("GROUP " + GROUP);
  }

  /**
   * The group's NetworkPolicy admits the metrics port from networkPolicy.metricsNamespaces only (the chart's default,
   * monitoring), and kube-router enforces it: web's app container cannot reach background's 9464. The API server's pod
   * proxy connects from the node, which kube-router admits (its rule for traffic from the pod's own node), so list's
   * figures come through; test 1 showed them for every pod.
   */
  @Test
  @Order(2)
  void thePodProxyReachesTheMetricsPortThatTheGroupsNetworkPolicyClosesToPods() throws Exception {
    var policy = client.network().v1().networkPolicies().inNamespace(ns).withName(GROUP + "-hub").get();
    assertThat(policy).as("the group's NetworkPolicy").isNotNull();
    assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> {
      assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(9464));
      assertThat(rule.getFrom()).singleElement().satisfies(f ->
          assertThat(f.getNamespaceSelector().getMatchExpressions().get(0).getValues()).containsExactly("monitoring"));
    });
    Pod web = client.pods().inNamespace(ns).withName(podNames("web").get(0)).get();
    String background = client.pods().inNamespace(ns).withName(podNames("background").get(0)).get().getStatus().getPodIP();
    String fromPod = cluster.kubectl("exec", "-n", ns, web.getMetadata().getName(), "-c", "web", "--", "node", "-e",
        ProcgroupE2E.PLAIN_PROBE, "http://" + background + ":9464/metrics");
    record("kubectl exec " + web.getMetadata().getName() + " -c web -- (GET http://" + background + ":9464/metrics)",
        new LocalCluster.Result(0, fromPod));
    assertThat(fromPod).as("web's pod -> background's metrics port (NetworkPolicy)").doesNotContain("STATUS")
        .containsAnyOf("TIMEOUT", "ETIMEDOUT", "ECONNREFUSED");
    String proxied = cluster.kubectl("get", "--raw", "/api/v1/namespaces/" + ns + "/pods/" + podNames("background").get(0)
        + ":9464/proxy/metrics");
    assertThat(proxied).contains("procgroup_app_resident_memory_bytes");
  }

  // -- describe -----------------------------------------------------------------------------------------------

  @Test
  @Order(3)
  void describeShowsThePlanTheWaitsTheHubObjectsWithTheirProvidersAndTheEvents() {
    String out = pg("-n", ns, "describe", GROUP);
    String background = podNames("background").get(0);
    assertThat(out).contains("Name:         " + GROUP).contains("Phase:        Running");
    assertThat(out).containsPattern("(?m)^\\s+0\\s+agent\\s+nothing \\(first order\\)\\s+-\\s+agent: readiness exec \\[\"test\",\"-f\",\"/tmp/agent.ready\"]$")
        .containsPattern("(?m)^\\s+1\\s+web, background\\s+agent available\\s+satisfied\\s+web: readiness httpGet /healthz port http; background: readiness exec");
    // The objects come from each sidecar's :9464/objects through the pod proxy: background publishes both.
    assertThat(out).containsPattern("(?m)^\\s+pageSnapshot\\s+take\\s+" + Pattern.quote(background + " (background)") + "$")
        .containsPattern("(?m)^\\s+snapshotStats\\s+\\S.*" + Pattern.quote(background + " (background)"));
    assertThat(out).containsPattern("(?m)^\\s+pageSnapshot\\s+background\\s+yes$");
    assertThat(out).contains("starting order 0: agent").contains("starting order 1: web, background");
  }

  // -- logs ---------------------------------------------------------------------------------------------------

  @Test
  @Order(4)
  void logsInterleaveEveryReplicaPrefixedWithItsPod() {
    String out = pg("-n", ns, "logs", GROUP, "web");
    for (String pod : podNames("web")) {
      assertThat(out).containsPattern("(?m)^" + Pattern.quote(pod) + " +\\| \\{\"t\":\"[^\"]+\",\"level\":\"info\",\"process\":\"web\",\"msg\":\"listening\"");
    }
    assertEveryLinePrefixed(out);
    assertTimeOrdered(out);
  }

  /**
   * logs -f runs through an ordered restart: the old web pods' lines and the new ones' both arrive, each prefixed with
   * its pod. restart exits 0 after showing order 0, then order 1, restarted.
   */
  @Test
  @Order(5)
  void logsFollowTheNewPodsAcrossAnOrderedRestartAndRestartShowsItOrderByOrder() throws Exception {
    List<String> oldWeb = podNames("web");
    File followed = File.createTempFile("kubectl-pg-logs-", ".out");
    followed.deleteOnExit();
    ProcessBuilder pb = new ProcessBuilder(PLUGIN.toString(), "-n", ns, "logs", GROUP, "web", "-f").redirectErrorStream(true)
        .redirectOutput(followed).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("KUBECONFIG", cluster.kubeconfig.toString());
    Process follower = pb.start();
    try {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        String got = Files.readString(followed.toPath());
        for (String pod : oldWeb) assertThat(got).contains(pod + " | ");
      });

      LocalCluster.Result restart = runPlugin(Duration.ofMinutes(6), "-n", ns, "restart", GROUP, "--timeout", "5m");
      record("kubectl pg -n " + ns + " restart " + GROUP + " --timeout 5m", restart);
      assertThat(restart.exitCode()).as(restart.out()).isZero();
      String r = restart.out();
      assertThat(r).contains("ordered restart requested (procgroup.dev/restartedAt=")
          .contains("2 order(s): 0: agent | 1: web, background");
      int order0 = r.indexOf("order 0 (agent): restarted in ");
      int order1 = r.indexOf("order 1 (web, background): restarted in ");
      assertThat(order0).as(r).isNotNegative();
      assertThat(order1).as("order 1 restarts after order 0\n%s", r).isGreaterThan(order0);
      assertThat(r).containsPattern("procgroup/page-snapshot restarted: 2 order\\(s\\) in \\d+\\.\\ds, phase Running");
      // Progress while it waited (not a terminal: one line per change), order by order: order 0's before it was
      // restarted, then order 1's.
      Matcher progress0 = Pattern.compile("(?m)^\\[\\d+s] order 0 \\(agent\\): (waiting|restarting) - agent ").matcher(r);
      assertThat(progress0.find()).as(r).isTrue();
      assertThat(progress0.start()).isLessThan(order0);
      Matcher progress1 = Pattern.compile("(?m)^\\[\\d+s] order 1 \\(web, background\\): (waiting|restarting) - web ").matcher(r);
      assertThat(progress1.find()).as(r).isTrue();
      assertThat(progress1.start()).isBetween(order0, order1);

      List<String> newWeb = podNames("web");
      assertThat(newWeb).hasSize(2).doesNotContainAnyElementsOf(oldWeb);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        String got = Files.readString(followed.toPath());
        for (String pod : newWeb) {
          assertThat(got).containsPattern("(?m)^" + Pattern.quote(pod) + " +\\| .*\"msg\":\"listening\"");
        }
      });
    } finally {
      follower.destroy();
      follower.waitFor(10, TimeUnit.SECONDS);
      if (follower.isAlive()) follower.destroyForcibly();
    }
    String got = Files.readString(followed.toPath());
    record("kubectl pg -n " + ns + " logs " + GROUP + " web -f   (during the restart; stopped after the new pods logged)",
        new LocalCluster.Result(0, got));
    for (String pod : oldWeb) assertThat(got).containsPattern("(?m)^" + Pattern.quote(pod) + " +\\| ");
    assertEveryLinePrefixed(got);
  }

  // -- scale --------------------------------------------------------------------------------------------------

  @Test
  @Order(6)
  void scalePatchesTheSpecAndTheOperatorRollsItOut() {
    assertThat(pg("-n", ns, "scale", GROUP, "web", "3")).contains("procgroup/page-snapshot process web scaled: 2 -> 3");
    await().atMost(LONG).until(() -> podNames("web").size() == 3 && readyOf("web") == 3);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(pg("-n", ns, "list", GROUP, "--cpu-window", "0")).containsPattern("(?m)^1\\s+web\\s+3/3\\s+"));
    assertThat(pg("-n", ns, "scale", GROUP, "web", "2")).contains("web scaled: 3 -> 2");
    await().atMost(LONG).until(() -> readyOf("web") == 2 && client.resources(ProcessGroup.class).inNamespace(ns)
        .withName(GROUP).get().getSpec().getProcesses().stream().filter(p -> p.getName().equals("web")).findFirst()
        .orElseThrow().getScale() == 2);
  }

  // -- errors -------------------------------------------------------------------------------------------------

  @Test
  @Order(7)
  void errorsSayWhatIsWrongWithTheirExitCodes() {
    LocalCluster.Result r = failing(3, "-n", ns, "list", "nope");
    assertThat(r.out()).contains("error: procgroups.procgroup.dev \"nope\" not found in namespace \"" + ns + "\"");
    r = failing(3, "-n", ns, "describe", "nope");
    assertThat(r.out()).contains("\"nope\" not found");
    r = failing(3, "-n", ns, "logs", GROUP, "nope");
    assertThat(r.out()).contains("procgroup \"page-snapshot\" in namespace \"" + ns + "\" has no process \"nope\" (it has: agent, web, background)");
    r = failing(3, "-n", ns, "restart", "nope");
    assertThat(r.out()).contains("\"nope\" not found");
    r = failing(2, "-n", ns, "scale", GROUP, "web", "many");
    assertThat(r.out()).contains("N must be a whole number >= 0");
    // No permission: the API server's 403, with the verb and resource it refused.
    r = failing(4, "-n", ns, "--as", "system:serviceaccount:" + ns + ":nobody", "list", GROUP);
    assertThat(r.out()).contains("error: no permission to get procgroups.procgroup.dev in namespace \"" + ns + "\"")
        .contains("cannot get resource \"procgroups\" in API group \"procgroup.dev\"");
    // Unreachable: nothing listens there.
    r = failing(5, "--server", "https://127.0.0.1:1", "--insecure-skip-tls-verify", "-n", ns, "list");
    assertThat(r.out()).contains("error: cannot reach the cluster at https://127.0.0.1:1").contains("connection refused");
    r = failing(2, "-n", ns, "list", GROUP, "-o", "xml");
    assertThat(r.out()).contains("unknown output format \"xml\"");
  }

  // -- helpers ------------------------------------------------------------------------------------------------

  String pg(String... args) {
    LocalCluster.Result r = runPlugin(Duration.ofMinutes(2), args);
    record("kubectl pg " + String.join(" ", args), r);
    assertThat(r.exitCode()).as("kubectl-pg %s\n%s", String.join(" ", args), r.out()).isZero();
    return r.out();
  }

  LocalCluster.Result failing(int code, String... args) {
    LocalCluster.Result r = runPlugin(Duration.ofMinutes(1), args);
    record("kubectl pg " + String.join(" ", args), r);
    assertThat(r.exitCode()).as("kubectl-pg %s\n%s", String.join(" ", args), r.out()).isEqualTo(code);
    return r;
  }

  LocalCluster.Result runPlugin(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>(List.of(PLUGIN.toString()));
    cmd.addAll(List.of(args));
    return cluster.run(timeout, null, cmd.toArray(String[]::new));
  }

  /** kubectl itself, with the plugin's folder on the PATH, as the README tells a user to set it up. */
  LocalCluster.Result kubectlPlugin(String... args) {
    List<String> cmd = new ArrayList<>(List.of("env", "PATH=" + PLUGIN_DIR + ":" + System.getenv("PATH"), cluster.kubectl));
    cmd.addAll(List.of(args));
    LocalCluster.Result r = cluster.run(Duration.ofMinutes(2), null, cmd.toArray(String[]::new));
    record("kubectl " + String.join(" ", args), r);
    return r;
  }

  void record(String command, LocalCluster.Result r) {
    transcript.append("$ ").append(command).append("\n").append(r.out());
    if (!r.out().endsWith("\n")) transcript.append("\n");
    transcript.append("[exit ").append(r.exitCode()).append("]\n\n");
  }

  List<String> podNames(String process) {
    return client.pods().inNamespace(ns).withLabel("procgroup.dev/group", GROUP).withLabel("procgroup.dev/process", process)
        .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .map(p -> p.getMetadata().getName()).sorted().toList();
  }

  int readyOf(String process) {
    return (int) client.pods().inNamespace(ns).withLabel("procgroup.dev/group", GROUP).withLabel("procgroup.dev/process", process)
        .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).filter(ProcgroupE2E::ready).count();
  }

  static JsonNode processNode(JsonNode group, String name) {
    for (JsonNode p : group.path("processes")) if (name.equals(p.path("name").asText())) return p;
    throw new AssertionError("no process " + name + " in " + group);
  }

  /** Every log line is "<pod> | <text>" with a pod of the group; kubectl-pg's own notes would break the pattern. */
  static void assertEveryLinePrefixed(String out) {
    assertThat(out.lines().filter(l -> !l.isBlank()).toList()).isNotEmpty()
        .allSatisfy(l -> assertThat(l).matches(Pattern.quote(GROUP) + "-web-[a-z0-9]+-[a-z0-9]+ +\\| .*"));
  }

  /**
   * The app writes its own ISO time ("t") first in each JSON line: the interleaving (by the kubelet's stamps) is in
   * that order too, give or take the few milliseconds between the app's clock read and the kubelet's.
   */
  static void assertTimeOrdered(String out) {
    List<java.time.Instant> times = out.lines().map(l -> l.replaceFirst(".*\\| \\{\"t\":\"([^\"]+)\".*", "$1"))
        .filter(t -> t.matches("\\d{4}-.*Z")).map(java.time.Instant::parse).toList();
    assertThat(times).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 1; i < times.size(); i++) {
      assertThat(times.get(i)).as("line %d of\n%s", i + 1, out).isAfterOrEqualTo(times.get(i - 1).minusMillis(50));
    }
  }
}
