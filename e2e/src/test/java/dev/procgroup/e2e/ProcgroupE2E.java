package dev.procgroup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * Procgroup as a user meets it, on the local cluster with a real kubelet and containerd: the chart installed
 * with Helm, groups applied with kubectl, behaviour checked from the outside. The tests share one installation
 * and run in order; figures are printed as "[measure] ..." lines and written to target/e2e-measurements.txt.
 * Faults (the operator killed mid-rollout, an apiserver outage, killed containers, drift) are {@link ProcgroupChaos}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcgroupE2E {
  /** The sidecar's start time of the oldest app process: it moves at every restart of the app container. */
  static final String APP_START = "procgroup_app_start_time_seconds";
  static final String OPERATOR_NS = "procgroup-system";
  static final Path GROUPS = Path.of("src/test/resources/groups");
  static final Duration LONG = Duration.ofMinutes(4);

  LocalCluster cluster;
  KubernetesClient client;
  String ns;
  final List<String> measurements = new ArrayList<>();
  final Map<String, Instant> deploymentSeen = new ConcurrentHashMap<>();
  final Map<String, Instant> deploymentReadySeen = new ConcurrentHashMap<>();
  final Map<String, Instant> podStopRequested = new ConcurrentHashMap<>();
  final Map<String, Instant> podAdded = new ConcurrentHashMap<>();
  final Map<String, Instant> podReadySeen = new ConcurrentHashMap<>();
  final Map<String, Instant> podGone = new ConcurrentHashMap<>();
  final Map<String, String> podProcess = new ConcurrentHashMap<>();
  final java.util.Set<String> counted = ConcurrentHashMap.newKeySet();
  SharedIndexInformer<Deployment> deployments;
  SharedIndexInformer<Pod> pods;

  @BeforeAll
  void connect() throws Exception {
    cluster = LocalCluster.get();
    client = cluster.client;
    ns = cluster.newRestrictedNamespace("e2e");
    watchTheNamespace();
  }

  @AfterAll
  void writeMeasurements() throws Exception {
    if (deployments != null) deployments.close();
    if (pods != null) pods.close();
    if (prometheus != null) prometheus.close();
    Files.writeString(Path.of("target/e2e-measurements.txt"), String.join("\n", measurements) + "\n");
    client.namespaces().withName(ns).delete();
  }

  // -- install ---------------------------------------------------------------------------------------------

  @Test
  @Order(1)
  void helmInstallsTheOperatorWithRestrictedSecurity() {
    // certificates of the shortest lifetime the operator accepts: they are renewed (at half) during this suite
    cluster.helm("upgrade", "--install", "procgroup", LocalCluster.ROOT.resolve("helm/procgroup").toString(),
        "--namespace", OPERATOR_NS, "--create-namespace", "--set", "identity.certTTL=" + CERT_TTL.toMinutes() + "m",
        "--wait", "--timeout", "180s");
    Pod operator = operatorPod();
    assertThat(operator.getStatus().getContainerStatuses()).allSatisfy(c -> assertThat(c.getReady()).isTrue());
    assertThat(operator.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    for (Container c : operator.getSpec().getContainers()) {
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
    }
    assertThat(client.apiextensions().v1().customResourceDefinitions().withName("procgroups.procgroup.dev").get())
        .isNotNull();
  }

  @Test
  @Order(2)
  void invalidGroupsAreRefusedByTheApiserverNamingTheFields() {
    LocalCluster.Result r = cluster.kubectlResult("apply", "-n", ns, "-f", GROUPS.resolve("invalid.yaml").toString());
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.out()).contains("spec.processes[0].autoscale.min")
        .contains("autoscale.min must not be greater than autoscale.max")
        .contains("spec.services").contains("must name a process listed in spec.processes");
    assertThat(client.resources(ProcessGroup.class).inNamespace(ns).withName("invalid").get()).isNull();
  }

  // -- a real Prometheus: the chart's monitors, every dashboard query, an alert that fires and resolves --------------

  HostPrometheus prometheus;

  @Test
  @Order(3)
  void aRealPrometheusScrapesTheOperatorThroughTheChartsServiceMonitor() throws Exception {
    prometheus = HostPrometheus.start(cluster, OPERATOR_NS);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(prometheus.query("up{job=\"" + OPERATOR_NS + "/procgroup\"} == 1").size())
            .as("the operator's target (the chart's ServiceMonitor) is up; targets: %s", prometheus.targets()).isEqualTo(1));
  }

  /**
   * Every PromQL expression of every panel of the chart's Grafana dashboard, with its variables filled in as Grafana
   * would (the m_* constants, this namespace, the page-snapshot group, $__rate_interval = 1m), returns series from
   * the real Prometheus. Peer errors are provoked first (background's sidecar SIGKILLed while web calls it); the
   * only expression allowed to be empty is one over a series the dashboard marks lazy (JOSDK's failed
   * reconciliations: none happens here).
   */
  @Test
  @Order(56)
  void everyDashboardQueryReturnsSeriesFromARealPrometheus() throws Exception {
    assertThat(prometheus).as("Prometheus started (test 3)").isNotNull();
    Pod web = podsOf("page-snapshot", "web").get(0);
    Pod background = podsOf("page-snapshot", "background").get(0);
    // Peer errors: calls from web to background's objects while background's sidecar dies and comes back.
    String stats = "http://" + web.getStatus().getPodIP() + ":5511/stats";
    new ControlPlane(cluster).killContainer(background, "procgroup-hub");
    long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(8);
    while (System.nanoTime() < end) {
      try { cluster.get(stats); } catch (java.io.IOException e) { /* web answers an error: counted by its sidecar */ }
    }
    awaitPhase("page-snapshot", "Running", LONG);

    var dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(LocalCluster.ROOT.resolve("helm/procgroup/dashboards/procgroup.json").toFile());
    Map<String, String> constants = new java.util.LinkedHashMap<>();
    java.util.Set<String> lazy = new java.util.HashSet<>();
    for (var v : dashboard.path("templating").path("list")) {
      if (!"constant".equals(v.path("type").asText())) continue;
      constants.put(v.path("name").asText(), v.path("query").asText());
      if (v.path("description").asText().contains("(lazy")) lazy.add(v.path("name").asText());
    }
    List<String[]> queries = new ArrayList<>(); // title, expr, constant names
    java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> panels = new java.util.ArrayDeque<>();
    dashboard.path("panels").forEach(panels::add);
    while (!panels.isEmpty()) {
      var p = panels.pop();
      p.path("panels").forEach(panels::add);
      for (var t : p.path("targets")) if (t.hasNonNull("expr")) queries.add(new String[] {p.path("title").asText(), t.get("expr").asText()});
    }
    assertThat(queries).as("dashboard panel queries").hasSizeGreaterThanOrEqualTo(10);
    List<String> report = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
      report.clear();
      empty.clear();
      for (String[] q : queries) {
        String expr = q[1];
        boolean overLazy = false;
        for (var c : constants.entrySet()) {
          if (expr.contains("${" + c.getKey() + "}") && lazy.contains(c.getKey())) overLazy = true;
          expr = expr.replace("${" + c.getKey() + "}", c.getValue());
        }
        expr = expr.replace("$namespace", ns).replace("$group", "page-snapshot").replace("$__rate_interval", "1m");
        int series = prometheus.query(expr).size();
        report.add(q[0] + " | " + expr + " -> " + series + (overLazy ? " (lazy)" : ""));
        if (series == 0 && !overLazy) empty.add(q[0] + ": " + expr);
      }
      assertThat(empty).as("dashboard queries without series").isEmpty();
    });
    measure("dashboard panel queries against a real Prometheus (chart's PodMonitor + ServiceMonitor), series each:%n  %s",
        String.join("\n  ", report));
  }

  /**
   * The chart's alert rules in the real Prometheus: a group the operator refuses (requests above limits) is Failed,
   * ProcgroupGroupFailed fires after its 1 minute, and resolves once the group is gone.
   */
  @Test
  @Order(58)
  void theGroupFailedAlertFiresForARefusedGroupAndResolves() throws Exception {
    assertThat(prometheus).as("Prometheus started (test 3)").isNotNull();
    String group = """
        apiVersion: procgroup.dev/v1alpha1
        kind: ProcessGroup
        metadata: {name: refused}
        spec:
          image: docker.io/procgroup/node-base:20
          processes:
            - name: app
              entry: [node, -e, "setInterval(() => {}, 1000)"]
              resources: {requests: {memory: 2Gi}, limits: {memory: 1Gi}}
        """;
    Instant applied = Instant.now();
    LocalCluster.Result r = cluster.run(Duration.ofMinutes(1), group, cluster.kubectl, "apply", "-n", ns, "-f", "-");
    assertThat(r.exitCode()).as(r.out()).isZero();
    try {
      awaitPhase("refused", "Failed", Duration.ofSeconds(60));
      java.util.function.Supplier<String> state = () -> alertState("ProcgroupGroupFailed", Map.of());
      await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).until(() -> "firing".equals(state.get()));
      Instant firing = Instant.now();
      cluster.kubectl("delete", "-n", ns, "procgroup/refused", "--wait=true", "--timeout=60s");
      Instant deleted = Instant.now();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> "inactive".equals(state.get()));
      measure("alert ProcgroupGroupFailed (for: 1m): firing %d ms after the refused group was applied; resolved %d ms "
          + "after the group was deleted", Duration.between(applied, firing).toMillis(),
          Duration.between(deleted, Instant.now()).toMillis());
    } finally {
      cluster.kubectlResult("delete", "-n", ns, "procgroup/refused", "--ignore-not-found", "--wait=false");
    }
  }

  /** pending, firing, or inactive when Prometheus holds no such alert with these labels. */
  String alertState(String alertname, Map<String, String> labels) {
    try {
      for (var a : prometheus.alerts()) {
        var l = a.path("labels");
        if (alertname.equals(l.path("alertname").asText())
            && labels.entrySet().stream().allMatch(e -> e.getValue().equals(l.path(e.getKey()).asText()))) {
          return a.path("state").asText();
        }
      }
      return "inactive";
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // -- order, readiness, the running processes ----------------------------------------------------------------

  @Test
  @Order(10)
  void processesStartInOrderEachWaitingForTheLowerOrdersToBeReady() {
    Instant applied = Instant.now();
    cluster.kubectl("apply", "-n", ns, "-f", GROUPS.resolve("ordered.yaml").toString());
    ProcessGroupStatus s = awaitPhase("ordered", "Running", LONG);
    Duration toReady = Duration.between(applied, Instant.now());
    measure("ordered group (4 processes, 3 orders, 5 pods): kubectl apply -> Ready: %d ms", toReady.toMillis());
    assertThat(s.getReady()).isEqualTo("5/5");
    assertThat(s.getProcessesReady()).isEqualTo("4/4");

    // From the cluster's own records: every pod of order k+1 was created after every pod of order k was Ready.
    Map<Integer, List<String>> orders = Map.of(0, List.of("db"), 1, List.of("api", "cache"), 2, List.of("worker"));
    for (int k = 0; k < 2; k++) {
      Instant lowerReady = orders.get(k).stream().flatMap(p -> podsOf("ordered", p).stream())
          .map(ProcgroupE2E::readySince).max(Instant::compareTo).orElseThrow();
      Instant higherCreated = orders.get(k + 1).stream().flatMap(p -> podsOf("ordered", p).stream())
          .map(p -> Instant.parse(p.getMetadata().getCreationTimestamp())).min(Instant::compareTo).orElseThrow();
      // The cluster's timestamps have one-second resolution: this only catches gross violations...
      assertThat(higherCreated).as("order %d pods are created only after order %d is Ready", k + 1, k)
          .isAfterOrEqualTo(lowerReady);
      // ...so the strict check is this test's own watch (millisecond resolution): the first pod of order k+1
      // appeared after the last pod of order k was seen Ready.
      Instant lowerReadySeen = orders.get(k).stream().flatMap(p -> podsOf("ordered", p).stream())
          .map(p -> podReadySeen.get(p.getMetadata().getName())).max(Instant::compareTo).orElseThrow();
      Instant higherAdded = orders.get(k + 1).stream().flatMap(p -> podsOf("ordered", p).stream())
          .map(p -> podAdded.get(p.getMetadata().getName())).min(Instant::compareTo).orElseThrow();
      assertThat(higherAdded).as("first order %d pod seen after the last order %d pod was seen Ready", k + 1, k)
          .isAfter(lowerReadySeen);
      // And sub-second, from this test's watch: order k Ready seen -> order k+1 Deployment seen.
      Instant readySeen = orders.get(k).stream().map(p -> deploymentReadySeen.get("ordered-" + p))
          .max(Instant::compareTo).orElseThrow();
      Instant nextSeen = orders.get(k + 1).stream().map(p -> deploymentSeen.get("ordered-" + p))
          .min(Instant::compareTo).orElseThrow();
      long gap = Duration.between(readySeen, nextSeen).toMillis();
      measure("order %d Ready -> order %d Deployment created: %d ms", k, k + 1, gap);
      // 0 ms happens (CI: both events in one watch batch, one millisecond); the order itself is proven above.
      assertThat(gap).as("order %d Deployment created after order %d was Ready, within a second", k + 1, k)
          .isNotNegative().isLessThan(1000);
    }
    Instant apiCreated = deploymentSeen.get("ordered-api"), cacheCreated = deploymentSeen.get("ordered-cache");
    assertThat(Duration.between(apiCreated, cacheCreated).abs()).as("equal orders start together")
        .isLessThan(Duration.ofMillis(500));
    String events = cluster.kubectl("get", "events", "-n", ns, "--field-selector",
        "involvedObject.kind=ProcessGroup,involvedObject.name=ordered", "-o", "custom-columns=REASON:.reason,MESSAGE:.message");
    assertThat(events).contains("starting order 0: db").contains("starting order 1: api, cache")
        .contains("starting order 2: worker").contains("ProcessReady");
  }

  @Test
  @Order(11)
  void theRunningProcessSeesItsEnvArgvAndArgs() {
    String line = awaitLog(podsOf("ordered", "api").get(0), "api", "PROCGROUP_E2E ");
    assertThat(line).contains("\"args\":[\"--port\",\"8080\"]").contains("\"runtime\":[\"--max-old-space-size=64\"]")
        .contains("\"GREETING\":\"hello\"").contains("\"LEVEL\":\"process\"").contains("\"PROCESS\":\"api\"")
        .contains("\"HUB\":\"http://127.0.0.1:7070\"");
    assertThat(awaitLog(podsOf("ordered", "db").get(0), "db", "PROCGROUP_E2E ")).contains("\"LEVEL\":\"group\"")
        .contains("\"args\":[]");
  }

  @Test
  @Order(12)
  void kubectlGetProcgroupsShowsTheColumns() {
    String out = cluster.kubectl("get", "procgroups", "-n", ns);
    measure("kubectl get procgroups:%n%s", out.strip());
    assertThat(out.lines().findFirst().orElseThrow())
        .matches("NAME\\s+READY\\s+PROCESSES\\s+PHASE\\s+GENERATION\\s+OBSERVED\\s+AGE");
    // GENERATION = OBSERVED: the operator has seen the latest spec (a lag shows staleness at a glance).
    assertThat(out).containsPattern("ordered\\s+5/5\\s+4/4\\s+Running\\s+(\\d+)\\s+\\1\\s+\\d+");
  }

  @Test
  @Order(13)
  void scaleUpAndDown() {
    scale("ordered", "api", 3);
    awaitStatus("ordered", s -> "Running".equals(s.getPhase()) && "6/6".equals(s.getReady()), LONG);
    await().atMost(LONG).until(() -> podsOf("ordered", "api").size() == 3);
    scale("ordered", "api", 1);
    awaitStatus("ordered", s -> "Running".equals(s.getPhase()) && "4/4".equals(s.getReady()), LONG);
    await().atMost(LONG).until(() -> podsOf("ordered", "api").stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).count() == 1);
  }

  @Test
  @Order(14)
  void aKilledContainerIsRestartedAndCountedInStatusAndSidecarMetrics() throws Exception {
    Pod pod = podsOf("ordered", "cache").get(0);
    double startedBefore = metricValue(cluster.sidecarMetrics(pod.getStatus().getPodIP()), APP_START);
    // The exec'd killer runs inside the container it kills: it exits 0, or dies with the container (137).
    LocalCluster.Result kill = cluster.kubectlResult("exec", "-n", ns, pod.getMetadata().getName(), "-c", "cache", "--", "node", "-e",
        "const fs = require('fs'); for (const p of fs.readdirSync('/proc')) { if (!/^\\d+$/.test(p) || +p === process.pid) continue;"
            + " try { if (fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').includes('PROCGROUP_E2E')) { process.kill(+p, 'SIGKILL'); console.log('killed', p); } } catch (e) {} }");
    assertThat(kill.exitCode()).as(kill.out()).isIn(0, 137);
    ProcessGroupStatus s = awaitStatus("ordered", st -> process(st, "cache").getRestarts() >= 1
        && "Running".equals(st.getPhase()), LONG);
    assertThat(process(s, "cache").getRestarts()).isEqualTo(1);
    String ip = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get().getStatus().getPodIP();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      // the sidecar sees the new app process (it reads /proc, not the pod status)
      assertThat(metricValue(cluster.sidecarMetrics(ip), APP_START)).isGreaterThan(startedBefore);
    });
  }

  @Test
  @Order(15)
  void aCrashLoopingProcessTurnsTheGroupDegradedWithItsReasonAndTheCrashLoopAlertFiresAndResolves() {
    assertThat(prometheus).as("Prometheus started (test 3)").isNotNull();
    Instant applied = Instant.now();
    cluster.kubectl("apply", "-n", ns, "-f", GROUPS.resolve("crashy.yaml").toString());
    try {
      // Degraded comes first as "unavailable" (the pod is down between crashes, seen in CI); the crash loop's
      // own reason replaces it once the restarts pass maxRestarts.
      ProcessGroupStatus s = awaitStatus("crashy", st -> "Degraded".equals(st.getPhase())
          && degradedMessage(st).contains("restarted"), LONG);
      String degraded = degradedMessage(s);
      measure("crashy: %s", degraded);
      assertThat(degraded).contains("process broken restarted").contains("exit code 3")
          .contains("fatal: cannot reach the database at db:5432");
      assertThat(cluster.kubectl("get", "events", "-n", ns, "--field-selector", "involvedObject.name=crashy"))
          .contains("CrashLoop");

      // the chart's ProcgroupProcessCrashLooping in the real Prometheus: 3 restarts within 10 minutes, for 1m
      Map<String, String> broken = Map.of("namespace", ns, "group", "crashy", "process", "broken");
      await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2))
          .until(() -> "firing".equals(alertState("ProcgroupProcessCrashLooping", broken)));
      Instant firing = Instant.now();
      cluster.kubectl("delete", "-n", ns, "procgroup/crashy", "--wait=true", "--timeout=120s");
      Instant deleted = Instant.now();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> "inactive".equals(alertState("ProcgroupProcessCrashLooping", broken)));
      measure("alert ProcgroupProcessCrashLooping (for: 1m): firing %d ms after crashy was applied; resolved %d ms "
          + "after the group was deleted", Duration.between(applied, firing).toMillis(),
          Duration.between(deleted, Instant.now()).toMillis());
    } finally {
      cluster.kubectlResult("delete", "-n", ns, "procgroup/crashy", "--ignore-not-found", "--wait=true",
          "--timeout=120s");
    }
  }

  private static String degradedMessage(ProcessGroupStatus st) {
    return st.getConditions() == null ? "" : st.getConditions().stream().filter(c -> "Degraded".equals(c.getType()))
        .map(c -> String.valueOf(c.getMessage())).findFirst().orElse("");
  }

  // -- metrics ----------------------------------------------------------------------------------------------

  @Test
  @Order(20)
  void operatorAndSidecarMetricsAreScrapedThroughTheClusterAndPassPromtool() throws Exception {
    var svc = client.services().inNamespace(OPERATOR_NS).withName("procgroup-metrics").get(); // not procgroup-identity
    String operatorMetrics = new String(cluster.get("http://" + svc.getSpec().getClusterIP() + ":8080/metrics")
        .body(), StandardCharsets.UTF_8);
    assertThat(operatorMetrics).contains("procgroup_process_ready_replicas{group=\"ordered\"")
        .contains("procgroup_groups{phase=\"Running\"}");
    assertThat(cluster.promtool(operatorMetrics)).satisfies(r -> assertThat(r.exitCode()).as(r.out()).isZero());
    String ip = podsOf("ordered", "db").get(0).getStatus().getPodIP();
    String sidecarMetrics = cluster.sidecarMetrics(ip);
    assertThat(sidecarMetrics).contains("procgroup_app_resident_memory_bytes").contains("procgroup_hub_peers");
    assertThat(cluster.promtool(sidecarMetrics)).satisfies(r -> assertThat(r.exitCode()).as(r.out()).isZero());
  }

  // -- stop in reverse order --------------------------------------------------------------------------------

  @Test
  @Order(40)
  void deletingTheGroupStopsTheHighestOrderFirstAndWaitsForItsPods() {
    List<String> live = client.pods().inNamespace(ns).withLabel("procgroup.dev/group", "ordered").list().getItems()
        .stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).map(p -> p.getMetadata().getName())
        .toList(); // earlier tests replaced pods (scale, restart): only the ones running now count
    counted.addAll(live);
    cluster.kubectl("delete", "-n", ns, "procgroup/ordered", "--wait=true", "--timeout=240s");
    Map<Integer, List<String>> orders = Map.of(0, List.of("db"), 1, List.of("api", "cache"), 2, List.of("worker"));
    for (int k = 2; k > 0; k--) {
      Instant higherGone = lastOf(podGone, orders.get(k));
      Instant lowerStopped = firstOf(podStopRequested, orders.get(k - 1));
      measure("order %d pods gone %s; order %d stop requested %s", k, higherGone, k - 1, lowerStopped);
      assertThat(lowerStopped).as("order %d stops only after order %d's pods are gone", k - 1, k)
          .isAfterOrEqualTo(higherGone);
    }
    assertThat(client.apps().deployments().inNamespace(ns).withLabel("procgroup.dev/group", "ordered").list()
        .getItems()).isEmpty();
  }

  // -- the page-snapshot example: IPC across pods ------------------------------------------------------------

  static final String HUB = "/app/node_modules/@procgroup/hub";

  @Test
  @Order(50)
  void pageSnapshotExampleBecomesReadyAndWebCallsBackgroundAcrossPods() throws Exception {
    Instant applied = Instant.now();
    cluster.kubectl("apply", "-n", ns, "-f", LocalCluster.ROOT.resolve("examples/page-snapshot/procgroup.yaml").toString());
    awaitPhase("page-snapshot", "Running", LONG);
    measure("page-snapshot example (agent, web, background + Chromium): kubectl apply -> Ready: %d ms",
        Duration.between(applied, Instant.now()).toMillis());
    Pod web = podsOf("page-snapshot", "web").get(0);
    Pod background = podsOf("page-snapshot", "background").get(0);
    String base = "http://" + web.getStatus().getPodIP() + ":5511";
    // spec.services: background's pod is Ready only once its app publishes pageSnapshot; the status counts it live
    ProcessGroupStatus status = client.resources(ProcessGroup.class).inNamespace(ns).withName("page-snapshot").get()
        .getStatus();
    assertThat(status.getServices()).extracting("name", "process", "providers", "desired")
        .containsExactly(org.assertj.core.groups.Tuple.tuple("pageSnapshot", "background", 1, 1));

    var snapshot = cluster.get(base + "/snapshot");
    assertThat(snapshot.statusCode()).isEqualTo(200);
    assertThat(snapshot.headers().firstValue("content-type")).hasValue("image/jpeg");
    byte[] jpeg = snapshot.body();
    assertThat(jpeg.length).isGreaterThan(1000);
    assertThat(new byte[] {jpeg[0], jpeg[1], jpeg[2]}).containsExactly(0xFF, 0xD8, 0xFF);
    measure("GET /snapshot through the hub (web pod -> background pod, Chromium): %d bytes of JPEG", jpeg.length);

    var remoteError = cluster.get(base + "/snapshot?url=nope");
    String errorBody = new String(remoteError.body(), StandardCharsets.UTF_8);
    assertThat(remoteError.statusCode()).isEqualTo(400);
    assertThat(errorBody).containsPattern("\"code\":\\s*\"ERR_INVALID_URL\"")
        .containsPattern("\"source\":\\s*\"remote\"").contains("invalid URL: nope");

    String sidecarMetrics = cluster.sidecarMetrics(web);
    assertThat(sidecarMetrics).containsPattern("procgroup_hub_calls_total\\{[^}]*object=\"pageSnapshot\"[^}]*route=\"remote\"");
    // ...and it crossed pods: background's sidecar served take() for a peer (the web pod), not for its own app.
    String backgroundMetrics = cluster.sidecarMetrics(background);
    assertThat(metricValue(backgroundMetrics, "procgroup_hub_served_calls_total",
        "object=\"pageSnapshot\"", "method=\"take\"", "caller=\"peer\"", "outcome=\"ok\"")).isGreaterThanOrEqualTo(1.0);
  }

  /** The chart's identity.certTTL for this suite: the shortest the operator accepts, renewed every minute. */
  static final Duration CERT_TTL = Duration.ofMinutes(2);

  @Test
  @Order(50)
  void sidecarCertificatesAreRenewedBeforeExpiryAndCallsAcrossPodsGoOn() throws Exception {
    List<Pod> pods = new ArrayList<>(podsOf("page-snapshot", "web"));
    pods.addAll(podsOf("page-snapshot", "background"));
    for (Pod pod : pods) {
      String ip = pod.getStatus().getPodIP();
      // each sidecar's first certificate, then at least one renewal at half the lifetime
      await().atMost(CERT_TTL.plusSeconds(30)).pollInterval(Duration.ofSeconds(2)).until(() ->
          metricValue(cluster.sidecarMetrics(ip), "procgroup_hub_identity_renewals_total", "outcome=\"ok\"") >= 2);
      String metrics = cluster.sidecarMetrics(ip);
      double left = metricValue(metrics, "procgroup_hub_identity_expiry_timestamp_seconds")
          - System.currentTimeMillis() / 1000.0;
      assertThat(left).as("%s: its certificate is valid and short-lived", pod.getMetadata().getName())
          .isPositive().isLessThanOrEqualTo(CERT_TTL.toSeconds() + 5);
      System.out.printf("[measure] %s: %.0f certificates issued, the current one valid %.0f s more%n",
          pod.getMetadata().getName(), metricValue(metrics, "procgroup_hub_identity_renewals_total",
              "outcome=\"ok\""), left);
    }
    // web's /stats calls background's object across pods, over connections made with the renewed certificates
    Pod web = podsOf("page-snapshot", "web").get(0);
    var stats = cluster.get("http://" + web.getStatus().getPodIP() + ":5511/stats");
    assertThat(stats.statusCode()).isEqualTo(200);
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats.body());
    assertThat(json.path("snapshotStats").has("taken")).as("background's object answered across pods: %s", json)
        .isTrue();
  }

  @Test
  @Order(51)
  void aHubCallThatOutlivesItsTimeoutFailsWithTimeout() {
    Pod web = podsOf("page-snapshot", "web").get(0);
    String out = cluster.kubectl("exec", "-n", ns, web.getMetadata().getName(), "-c", "web", "--", "node", "-e",
        "require('" + HUB + "').getProxy('pageSnapshot', {timeout: 50}).take('http://10.244.0.254:81/')"
            + ".then(() => console.log('RESULT no timeout'), e => console.log('RESULT', e.name, e.source, e.code))"
            + ".finally(() => process.exit(0))");
    assertThat(out).contains("RESULT Timeout hub");
  }

  @Test
  @Order(52)
  void anObjectPublishedAtRunTimeIsCalledFromAnotherPod() throws Exception {
    // background published snapshotStats after it started; web's /stats calls it across pods
    Pod web = podsOf("page-snapshot", "web").get(0);
    var stats = cluster.get("http://" + web.getStatus().getPodIP() + ":5511/stats");
    assertThat(stats.statusCode()).isEqualTo(200);
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats.body());
    assertThat(json.path("snapshotStats").path("taken").asInt()).as("snapshots counted by background: %s", json)
        .isGreaterThanOrEqualTo(1);
    assertThat(json.path("snapshotStats").path("browserConnected").asBoolean()).as("%s", json).isTrue();
    assertThat(json.path("agent").has("error")).as("the agent's stats object answered: %s", json).isFalse();

    // and a process started now in the agent pod publishes e2eEcho, which the web pod calls
    Pod agent = podsOf("page-snapshot", "agent").get(0);
    Process publisher = new ProcessBuilder(cluster.kubectl, "--kubeconfig=" + cluster.kubeconfig, "exec", "-n", ns,
        agent.getMetadata().getName(), "-c", "agent", "--", "node", "-e",
        "const hub = require('" + HUB + "'); hub.publishObject('e2eEcho', {hello(n) { return 'hi ' + n + ' from '"
            + " + process.env.PROCGROUP_POD_NAME; }}).then(() => console.log('PUBLISHED'));"
            + " setTimeout(() => process.exit(0), 60000);").redirectErrorStream(true).start();
    try {
      String callScript = "require('" + HUB + "').getProxy('e2eEcho', {timeout: 5000}).hello('e2e')"
          + ".then(r => console.log('RESULT', r), e => console.log('ERROR', e.name, e.message))";
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
          assertThat(cluster.kubectl("exec", "-n", ns, web.getMetadata().getName(), "-c", "web", "--", "node", "-e",
              callScript)).contains("RESULT hi e2e from " + agent.getMetadata().getName()));
    } finally {
      publisher.destroy();
    }
  }

  @Test
  @Order(53)
  void anotherGroupsPodFailsTheTlsHandshakeOnThePeerPort() throws Exception {
    // A second group (the hello example) in the same namespace: its pods are as close as a pod can be.
    cluster.kubectl("apply", "-n", ns, "-f", LocalCluster.ROOT.resolve("examples/hello/procgroup.yaml").toString());
    try {
      refusedPodToPod();
    } finally {
      cluster.kubectl("delete", "-n", ns, "procgroup/hello", "--wait=true", "--timeout=120s");
    }
  }

  /** Node's tls module in the caller's app container: the attacker is a pod on the pod network, without a certificate. */
  static final String TLS_PROBE = "const tls = require('tls'), [host, port] = process.argv.slice(1); let got = '';"
      + "const s = tls.connect({host, port: +port, rejectUnauthorized: false, timeout: 5000}, () => {"
      + " console.log('CONNECTED ' + s.getProtocol()); s.write('GET /peer/v1/objects HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'); });"
      + "s.on('data', d => got += d); s.on('timeout', () => { console.log('TIMEOUT'); s.destroy(); });"
      + "s.on('error', e => console.log('ERROR ' + (e.code || '') + ' ' + e.message));"
      + "s.on('close', () => console.log('CLOSED ' + (got ? 'HTTP ' + got.split('\\r\\n')[0] : 'no answer')));";
  /** The same port spoken to in plaintext HTTP. */
  static final String PLAIN_PROBE = "require('http').get(process.argv[1], {timeout: 5000}, r => console.log('STATUS ' + r.statusCode))"
      + ".on('timeout', function () { console.log('TIMEOUT'); this.destroy(); })"
      + ".on('error', e => console.log('ERROR ' + (e.code || '') + ' ' + e.message));";

  /**
   * Two layers keep another workload off a group's peer port. The group's NetworkPolicy (enforced on the local
   * cluster by kube-router) refuses another group's pod at the network; a pod that passes the policy by carrying the
   * group's label (anyone who may create pods in the namespace can) still fails the TLS handshake: it has no
   * certificate naming the group, and only the group's sidecars can get one.
   */
  private void refusedPodToPod() throws Exception {
    awaitPhase("hello", "Running", LONG);
    // A caller logs its first answer a moment after it started (it has no readiness probe of its own).
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(cluster.kubectlResult("logs", "-n", ns, "-l", "procgroup.dev/group=hello,procgroup.dev/process=caller",
            "-c", "caller", "--tail=20").out()).as("the hello example works (mTLS within hello): a caller got greeter's answer")
            .contains("200 {\"result\":\"Hello, "));
    assertThat(client.secrets().inNamespace(ns).withName("page-snapshot-hub").get())
        .as("with peer mTLS (the chart's default) no group has a bearer-token Secret").isNull();
    assertThat(client.network().v1().networkPolicies().inNamespace(ns).withName("page-snapshot-hub").get())
        .as("the group's NetworkPolicy").isNotNull();
    // The sidecars' ServiceAccount reads no Pod (other workloads' inline env) and no Secret: discovery is the
    // EndpointSlices of the group's headless hub Service, which list every process's pods.
    String hubAccount = "system:serviceaccount:" + ns + ":page-snapshot-hub";
    for (String[] ask : new String[][] {{"list", "pods", "no"}, {"get", "pods", "no"}, {"watch", "pods", "no"},
        {"get", "secrets", "no"}, {"list", "endpointslices.discovery.k8s.io", "yes"}}) {
      String answer = cluster.kubectlResult("auth", "can-i", ask[0], ask[1], "-n", ns, "--as", hubAccount).out().strip();
      assertThat(answer.substring(answer.lastIndexOf('\n') + 1))
          .as("can the hub ServiceAccount %s %s (%s)", ask[0], ask[1], answer).isEqualTo(ask[2]);
    }
    var slicePods = client.discovery().v1().endpointSlices().inNamespace(ns)
        .withLabel("kubernetes.io/service-name", "page-snapshot-hub").list().getItems().stream()
        .flatMap(sl -> sl.getEndpoints().stream()).map(e -> e.getTargetRef().getName()).collect(java.util.stream.Collectors.toSet());
    assertThat(slicePods).as("the hub Service's slices list the pods of every process")
        .containsAll(podsOf("page-snapshot", null).stream().map(p -> p.getMetadata().getName()).toList());
    Pod background = podsOf("page-snapshot", "background").get(0);
    String target = background.getStatus().getPodIP();

    // 1. Another group's pod: the NetworkPolicy refuses the connection (no TCP, so no TLS and no HTTP).
    Pod foreign = podsOf("hello", "greeter").get(0);
    String fromHello = cluster.kubectl("exec", "-n", ns, foreign.getMetadata().getName(), "-c", "greeter", "--", "node",
        "-e", TLS_PROBE, target, "7071");
    assertThat(fromHello).as("hello's pod -> page-snapshot's peer port (NetworkPolicy)").doesNotContain("CONNECTED")
        .doesNotContain("HTTP/1.1").containsAnyOf("ECONNREFUSED", "TIMEOUT", "ETIMEDOUT");
    // ...while a declared app port of the same group stays open to it (the policy is not a blanket block).
    String web = podsOf("page-snapshot", "web").get(0).getStatus().getPodIP();
    assertThat(cluster.kubectl("exec", "-n", ns, foreign.getMetadata().getName(), "-c", "greeter", "--", "node", "-e",
        PLAIN_PROBE, "http://" + web + ":5511/healthz")).as("hello's pod -> web's declared port 5511").contains("STATUS 200");

    // 2. A pod that carries page-snapshot's group label passes the NetworkPolicy, and fails the TLS handshake.
    String intruder = "intruder-" + Long.toHexString(System.nanoTime()).substring(8);
    cluster.kubectl("run", intruder, "-n", ns, "--image=docker.io/procgroup/node-base:20", "--image-pull-policy=IfNotPresent",
        "--labels=procgroup.dev/group=page-snapshot", "--restart=Never", "--overrides=" + RESTRICTED_POD_OVERRIDES,
        "--command", "--", "node", "-e", "setTimeout(() => {}, 600000)");
    try {
      cluster.kubectl("wait", "-n", ns, "pod/" + intruder, "--for=condition=Ready", "--timeout=90s");
      double failuresBefore = authFailures(background);
      String tlsNoCert = cluster.kubectl("exec", "-n", ns, intruder, "--", "node", "-e", TLS_PROBE, target, "7071");
      String plaintext = cluster.kubectl("exec", "-n", ns, intruder, "--", "node", "-e", PLAIN_PROBE,
          "http://" + target + ":7071/peer/v1/objects");
      measure("page-snapshot background %s:7071 from hello's pod: %s | from a pod with page-snapshot's label: TLS "
          + "without the group's certificate: %s; plaintext HTTP: %s", target, fromHello.strip().replace('\n', ' '),
          tlsNoCert.strip().replace('\n', ' '), plaintext.strip());
      // TLS 1.3: the client may see its side of the handshake finish; the server then refuses the missing
      // certificate with an alert, and no HTTP byte ever comes back.
      assertThat(tlsNoCert).as("TLS without a client certificate").contains("ERROR").contains("CLOSED no answer")
          .doesNotContain("HTTP/1.1").containsIgnoringCase("certificate");
      assertThat(plaintext).as("plaintext HTTP gets no HTTP answer").doesNotContain("STATUS")
          .containsAnyOf("ERROR", "TIMEOUT");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(authFailures(background) - failuresBefore)
          .as("background's sidecar counted both refused peers").isGreaterThanOrEqualTo(2.0));
    } finally {
      cluster.kubectl("delete", "pod", intruder, "-n", ns, "--wait=false", "--grace-period=0");
    }
    // The control: within page-snapshot the same port serves peers (web -> background, test 50).
    assertThat(metricValue(cluster.sidecarMetrics(background), "procgroup_hub_served_calls_total", "caller=\"peer\"", "outcome=\"ok\""))
        .isGreaterThanOrEqualTo(1.0);
  }

  /** What restricted Pod Security requires of a pod the test makes itself (kubectl run --overrides). */
  static final String RESTRICTED_POD_OVERRIDES = "{\"apiVersion\":\"v1\",\"spec\":{\"automountServiceAccountToken\":false,"
      + "\"securityContext\":{\"runAsNonRoot\":true,\"runAsUser\":10001,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
      + "\"containers\":[{\"name\":\"intruder\",\"image\":\"docker.io/procgroup/node-base:20\",\"imagePullPolicy\":\"IfNotPresent\","
      + "\"command\":[\"node\",\"-e\",\"setTimeout(() => {}, 600000)\"],"
      + "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}}}]}}";

  double authFailures(Pod pod) throws Exception {
    return metricValue(cluster.sidecarMetrics(pod), "procgroup_hub_peer_auth_failures_total");
  }

  /**
   * The app as the attacker (issue 10): from web's app container, as its user, every way to the sidecar's
   * credentials the pod offers (its processes' /proc entries, its mounts, the usual directories) yields none of
   * them. The needles are slices of the sidecar's real tokens, read from the kubelet's volume on the node.
   */
  @Test
  @Order(54)
  void theAppContainerCannotReadTheSidecarsCredentials() throws Exception {
    Pod web = podsOf("page-snapshot", "web").get(0);
    Path volume = Path.of("/var/lib/kubelet/pods", web.getMetadata().getUid(), "volumes/kubernetes.io~projected/hub-api-token");
    List<String> needles = new ArrayList<>();
    for (String file : List.of("token", "identity-token")) {
      String[] parts = Files.readString(volume.resolve(file)).strip().split("\\.");
      assertThat(parts).as("%s is a JWT", file).hasSize(3);
      needles.add(parts[1].substring(0, 40)); // its claims
      needles.add(parts[2].substring(0, 40)); // its signature: unique to this token
    }
    String script = Files.readString(Path.of("src/test/resources/attack/credential-scan.js"));
    // The needles go in on stdin: as arguments they would be in the scanner's own /proc/<pid>/cmdline.
    String stdin = String.join("\n", needles) + "\n--control\nPROCGROUP_POD_NAME=" + web.getMetadata().getName() + "\n";
    LocalCluster.Result r = cluster.run(Duration.ofMinutes(2), stdin, cluster.kubectl, "exec", "-i", "-n", ns,
        web.getMetadata().getName(), "-c", "web", "--", "node", "-e", script);
    assertThat(r.exitCode()).as(r.out()).isZero();
    String line = r.out().lines().filter(l -> l.startsWith("SCAN ")).findFirst()
        .orElseThrow(() -> new AssertionError("the scan printed no result: " + r.out()));
    var scan = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line.substring(5));
    measure("web's app container (uid %s) read %d files (mounts %s); other users' processes %s; attempts %s; token hits %s",
        scan.path("uid"), scan.path("scanned").asInt(), scan.path("mounts"), scan.path("sidecarPids"),
        scan.path("attempts"), scan.path("hits"));
    assertThat(scan.path("uid").asInt()).isEqualTo(10001);
    assertThat(scan.path("scanned").asInt()).as("files read").isGreaterThan(50);
    assertThat(scan.path("controlHits").toString()).as("the scan finds what it may read (the app's own environ)")
        .contains("/environ");
    assertThat(scan.path("sidecarPids").findValuesAsText("uid")).as("the sidecar's processes, seen in the shared "
        + "process namespace, run as another user").isNotEmpty().allSatisfy(uid -> assertThat(uid).isEqualTo("10002"));
    assertThat(scan.path("hits").size()).as("files that yielded a token: %s", scan.path("hits")).isZero();
    scan.path("attempts").fields().forEachRemaining(a -> {
      boolean harmless = a.getKey().endsWith("/cmdline"); // readable, holds no secret (it was scanned for the needles)
      if (!harmless) assertThat(a.getValue().asText()).as(a.getKey()).isIn("EACCES", "EPERM", "ENOENT");
    });
    assertThat(scan.path("attempts").toString()).as("the ptrace-guarded entries were refused, not absent")
        .contains("/environ\":\"EACCES").contains("/root/\":\"EACCES");
    assertThat(scan.path("serviceAccountDir").asBoolean()).as("no ServiceAccount token in the app container").isFalse();
    assertThat(scan.path("env").size()).as("credential-like env names: %s", scan.path("env")).isZero();
    // ...and the app's process metrics, read across the UIDs, still come.
    String metrics = cluster.sidecarMetrics(web);
    assertThat(metricValue(metrics, "procgroup_app_cpu_seconds_total")).isGreaterThan(0.0);
    assertThat(metricValue(metrics, "procgroup_app_threads")).isGreaterThan(0.0);
  }

  /**
   * A network observer on the node's bridge (tcpdump on cni0) sees a hub call between web's and background's pods
   * as TLS records only: not the call's argument, not its path or object, not a credential.
   */
  @Test
  @Order(55)
  void aCaptureOnTheBridgeOfAHubCallShowsNoPayloadOrToken() throws Exception {
    Pod web = podsOf("page-snapshot", "web").get(0);
    String marker = "procgroup-marker-" + Long.toHexString(System.nanoTime());
    Path pcap = Files.createTempFile("hub-call-", ".pcap");
    Process capture = new ProcessBuilder("tcpdump", "-i", "cni0", "-U", "-s", "0", "-w", pcap.toString(),
        "tcp port 7071").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      Thread.sleep(1500); // tcpdump attaches to the bridge
      assertThat(capture.isAlive()).as("tcpdump runs (installed by e2e/cluster/prereqs)").isTrue();
      String out = cluster.kubectl("exec", "-n", ns, web.getMetadata().getName(), "-c", "web", "--", "node", "-e",
          "require('" + HUB + "').getProxy('pageSnapshot', {timeout: 5000}).take('http://10.244.0.254:81/" + marker + "')"
              + ".then(() => console.log('RESULT ok'), e => console.log('RESULT', e.name, e.source, e.code))"
              + ".finally(() => setTimeout(() => process.exit(0), 500))");
      assertThat(out).as("the call crossed to background (its answer is an error about the unreachable URL)")
          .contains("RESULT").doesNotContain("RESULT ok");
      Thread.sleep(1000);
    } finally {
      capture.destroy();
      capture.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    byte[] bytes = Files.readAllBytes(pcap);
    Files.deleteIfExists(pcap);
    String raw = new String(bytes, StandardCharsets.ISO_8859_1);
    int tlsRecords = 0;
    for (int i = raw.indexOf("\u0017\u0003\u0003"); i >= 0; i = raw.indexOf("\u0017\u0003\u0003", i + 1)) tlsRecords++;
    measure("tcpdump on cni0, tcp port 7071, one hub call web -> background: %d bytes captured, %d TLS application-data "
        + "record headers; marker, path, object name and credentials absent", bytes.length, tlsRecords);
    assertThat(tlsRecords).as("the capture holds the call (TLS application-data records)").isGreaterThan(0);
    assertThat(raw).doesNotContain(marker).doesNotContain("/peer/v1/").doesNotContainIgnoringCase("authorization")
        .doesNotContain("pageSnapshot");
  }

  @Test
  @Order(57)
  void webIsReachedByItsServiceNameFromAPodSpreadOverItsReplicas() {
    // The operator's Service for the ported process: named <group>-<process>, port by name, in status.
    var svc = client.services().inNamespace(ns).withName("page-snapshot-web").get();
    assertThat(svc).as("Service page-snapshot-web").isNotNull();
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("http");
      assertThat(port.getPort()).isEqualTo(5511);
    });
    assertThat(svc.getSpec().getSelector()).containsEntry("procgroup.dev/group", "page-snapshot")
        .containsEntry("procgroup.dev/process", "web");
    ProcessGroupStatus s = client.resources(ProcessGroup.class).inNamespace(ns).withName("page-snapshot").get().getStatus();
    assertThat(process(s, "web").getService()).isEqualTo("page-snapshot-web." + ns + ".svc");
    assertThat(client.services().inNamespace(ns).withName("page-snapshot-agent").get())
        .as("agent declares no ports: no Service").isNull();

    // From a pod of the group, by DNS name, one connection per call: kube-proxy spreads them over both replicas.
    List<String> webPods = podsOf("page-snapshot", "web").stream().map(p -> p.getMetadata().getName()).sorted().toList();
    assertThat(webPods).hasSize(2);
    Pod agent = podsOf("page-snapshot", "agent").get(0);
    String host = "page-snapshot-web." + ns + ".svc.cluster.local";
    String out = cluster.kubectl("exec", "-n", ns, agent.getMetadata().getName(), "-c", "agent", "--", "node", "-e",
        "const http = require('http'); const seen = {}; let n = 0;"
            + "const one = () => new Promise((ok, ko) => http.get({host: '" + host + "', port: 5511, path: '/healthz', agent: false,"
            + " timeout: 5000}, r => { r.resume(); r.on('end', () => { seen[r.headers['x-served-by']] = (seen[r.headers['x-served-by']] || 0) + 1; ok(r.statusCode); }); }).on('error', ko));"
            + "(async () => { for (let i = 0; i < 40; i++) if (await one() === 200) n++;"
            + " console.log('OK ' + n); for (const [p, c] of Object.entries(seen)) console.log('SERVED ' + p + ' ' + c); })()"
            + ".catch(e => { console.log('ERROR ' + e.message); process.exit(1); });");
    measure("40 GET /healthz from the agent pod via %s:%n%s", host, out.strip());
    assertThat(out).contains("OK 40");
    List<String> served = out.lines().filter(l -> l.startsWith("SERVED ")).map(l -> l.split(" ")[1]).sorted().toList();
    assertThat(served).as("every web replica answered through the Service, and nothing else did").isEqualTo(webPods);

    // And the snapshot, the demo's call, through the Service by name.
    String snap = cluster.kubectl("exec", "-n", ns, agent.getMetadata().getName(), "-c", "agent", "--", "node", "-e",
        "require('http').get({host: '" + host + "', port: 5511, path: '/snapshot', timeout: 60000}, r => { const b = [];"
            + " r.on('data', d => b.push(d)); r.on('end', () => { const j = Buffer.concat(b);"
            + " console.log('SNAPSHOT ' + r.statusCode + ' ' + r.headers['content-type'] + ' ' + j.length + ' ' + j.subarray(0, 3).toString('hex')); }); })"
            + ".on('error', e => { console.log('ERROR ' + e.message); process.exit(1); });");
    assertThat(snap).containsPattern("SNAPSHOT 200 image/jpeg \\d{4,} ffd8ff");
    cluster.kubectl("delete", "-n", ns, "procgroup/page-snapshot", "--wait=true", "--timeout=180s");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(client.services().inNamespace(ns)
        .withLabel("procgroup.dev/group", "page-snapshot").list().getItems()).as("the group's Services go with it").isEmpty());
  }

  // -- a real HorizontalPodAutoscaler (metrics-server) -----------------------------------------------------------

  @Test
  @Order(60)
  void cpuLoadScalesAnAutoscaledProcessUpAndBackDownWhileTheHigherOrderIsUndisturbed() {
    cluster.kubectl("apply", "-n", ns, "-f", GROUPS.resolve("elastic.yaml").toString());
    awaitPhase("elastic", "Running", LONG);
    Pod worker = podsOf("elastic", "worker").get(0);
    long workerGeneration = deployment("elastic-worker").getMetadata().getGeneration();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(cluster.kubectlResult("top", "pod", "-n", ns,
        "-l", "procgroup.dev/process=api").exitCode()).as("metrics-server reports api's pod").isZero());

    // One core of load in api's app container, bounded (at most 150 s) and stopped by a file.
    Pod api = podsOf("elastic", "api").get(0);
    String load = "const fs = require('fs'), end = Date.now() + 150000;"
        + " while (Date.now() < end && !fs.existsSync('/tmp/stop-load')) { for (let i = 0; i < 1e6; i++); }";
    Process burner;
    try {
      burner = new ProcessBuilder(cluster.kubectl, "--kubeconfig=" + cluster.kubeconfig, "exec", "-n", ns,
          api.getMetadata().getName(), "-c", "api", "--", "node", "-e", load).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    Instant loadStarted = Instant.now();
    try {
      await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1))
          .until(() -> replicasOf("elastic-api") > 1);
      measure("HPA scale-up: CPU load started -> api Deployment at %d replicas: %d ms", replicasOf("elastic-api"),
          Duration.between(loadStarted, Instant.now()).toMillis());
    } finally {
      cluster.kubectlResult("exec", "-n", ns, api.getMetadata().getName(), "-c", "api", "--", "touch", "/tmp/stop-load");
      burner.destroy();
    }
    Instant loadStopped = Instant.now();
    await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1))
        .until(() -> replicasOf("elastic-api") == 1);
    measure("HPA scale-down: load stopped -> api Deployment back at 1 replica: %d ms",
        Duration.between(loadStopped, Instant.now()).toMillis());
    ProcessGroupStatus s = awaitStatus("elastic", st -> "Running".equals(st.getPhase()) && "2/2".equals(st.getReady()), LONG);
    assertThat(process(s, "api").getDesired()).isEqualTo(1);

    // The higher order was never touched: same pod, no restart, same Deployment generation.
    List<Pod> workers = podsOf("elastic", "worker");
    assertThat(workers).extracting(p -> p.getMetadata().getUid()).containsExactly(worker.getMetadata().getUid());
    assertThat(workers.get(0).getStatus().getContainerStatuses()).allSatisfy(c -> assertThat(c.getRestartCount()).isZero());
    assertThat(deployment("elastic-worker").getMetadata().getGeneration()).isEqualTo(workerGeneration);
    cluster.kubectl("delete", "-n", ns, "procgroup/elastic", "--wait=true", "--timeout=120s");
  }

  int replicasOf(String deployment) {
    Integer r = deployment(deployment).getSpec().getReplicas();
    return r == null ? 1 : r;
  }

  // -- upgrade and uninstall --------------------------------------------------------------------------------

  @Test
  @Order(90)
  void helmUpgradeAndUninstallLeaveNothingBehind() {
    cluster.helm("upgrade", "procgroup", LocalCluster.ROOT.resolve("helm/procgroup").toString(), "--namespace",
        OPERATOR_NS, "--reuse-values", "--set", "logFormat=text", "--wait", "--timeout", "180s");
    await().atMost(LONG).until(() -> {
      Pod p = operatorPod();
      return p != null && p.getSpec().getContainers().get(0).getEnv().stream()
          .anyMatch(e -> "PROCGROUP_LOG_FORMAT".equals(e.getName()) && "text".equals(e.getValue()))
          && ready(p);
    });
    assertThat(client.resources(ProcessGroup.class).inAnyNamespace().list().getItems())
        .as("no group left to be orphaned by the uninstall").isEmpty();
    cluster.helm("uninstall", "procgroup", "--namespace", OPERATOR_NS, "--wait", "--timeout", "120s");
    String selector = "app.kubernetes.io/instance=procgroup";
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(cluster.kubectl("get", "all,serviceaccounts,roles,rolebindings,configmaps", "-n", OPERATOR_NS,
          "-l", selector, "-o", "name").strip()).isEmpty();
      assertThat(cluster.kubectl("get", "clusterroles,clusterrolebindings", "-l", selector, "-o", "name").strip())
          .isEmpty();
    });
  }

  // -- helpers ----------------------------------------------------------------------------------------------

  private void watchTheNamespace() {
    deployments = client.apps().deployments().inNamespace(ns).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Deployment d) { seen(d); }
      @Override public void onUpdate(Deployment o, Deployment d) { seen(d); }
      @Override public void onDelete(Deployment d, boolean unknown) {}

      private void seen(Deployment d) {
        Instant now = Instant.now();
        String name = d.getMetadata().getName();
        deploymentSeen.putIfAbsent(name, now);
        var st = d.getStatus();
        int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        boolean current = st != null && st.getObservedGeneration() != null
            && st.getObservedGeneration() >= d.getMetadata().getGeneration();
        if (current && st.getAvailableReplicas() != null && st.getAvailableReplicas() == want) {
          deploymentReadySeen.putIfAbsent(name, now);
        }
      }
    });
    pods = client.pods().inNamespace(ns).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Pod p) { track(p); }
      @Override public void onUpdate(Pod o, Pod p) { track(p); }
      @Override public void onDelete(Pod p, boolean unknown) { podGone.put(p.getMetadata().getName(), Instant.now()); }

      private void track(Pod p) {
        Instant now = Instant.now();
        podAdded.putIfAbsent(p.getMetadata().getName(), now);
        if (p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
          podReadySeen.putIfAbsent(p.getMetadata().getName(), now);
        }
        String process = p.getMetadata().getLabels().get("procgroup.dev/process");
        if (process != null) podProcess.put(p.getMetadata().getName(), process);
        if (p.getMetadata().getDeletionTimestamp() != null) {
          podStopRequested.putIfAbsent(p.getMetadata().getName(), Instant.now());
        }
      }
    });
  }

  private Instant lastOf(Map<String, Instant> times, List<String> processes) {
    return times.entrySet().stream().filter(e -> counted.contains(e.getKey()))
        .filter(e -> processes.contains(podProcess.get(e.getKey())))
        .map(Map.Entry::getValue).max(Instant::compareTo).orElseThrow(() -> new AssertionError("no pods of " + processes));
  }

  private Instant firstOf(Map<String, Instant> times, List<String> processes) {
    return times.entrySet().stream().filter(e -> counted.contains(e.getKey()))
        .filter(e -> processes.contains(podProcess.get(e.getKey())))
        .map(Map.Entry::getValue).min(Instant::compareTo).orElseThrow(() -> new AssertionError("no pods of " + processes));
  }

  void measure(String format, Object... args) {
    String line = "[measure] " + String.format(format, args);
    System.out.println(line);
    measurements.add(line);
  }

  Pod operatorPod() {
    return client.pods().inNamespace(OPERATOR_NS).withLabel("app.kubernetes.io/component", "operator").list()
        .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst().orElse(null);
  }

  /** Every container of the pod is ready (false while the kubelet has not reported them yet). */
  static boolean ready(Pod p) {
    var statuses = p.getStatus() == null ? null : p.getStatus().getContainerStatuses();
    return statuses != null && !statuses.isEmpty() && statuses.stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
  }

  List<Pod> podsOf(String group, String process) {
    return client.pods().inNamespace(ns).withLabel("procgroup.dev/group", group)
        .withLabel("procgroup.dev/process", process).list().getItems();
  }

  Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  static Instant readySince(Pod p) {
    return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> Instant.parse(c.getLastTransitionTime())).findFirst()
        .orElseThrow(() -> new AssertionError(p.getMetadata().getName() + " is not Ready"));
  }

  static ProcessStatus process(ProcessGroupStatus s, String name) {
    return s.getProcesses().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
  }

  void scale(String group, String process, int replicas) {
    ProcessGroup pg = client.resources(ProcessGroup.class).inNamespace(ns).withName(group).get();
    pg.getSpec().getProcesses().stream().filter(p -> p.getName().equals(process)).findFirst().orElseThrow()
        .setScale(replicas);
    client.resource(pg).update();
  }

  ProcessGroupStatus awaitPhase(String name, String phase, Duration timeout) {
    return awaitStatus(name, s -> phase.equals(s.getPhase()), timeout);
  }

  ProcessGroupStatus awaitStatus(String name, java.util.function.Predicate<ProcessGroupStatus> test, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
      ProcessGroup pg = client.resources(ProcessGroup.class).inNamespace(ns).withName(name).get();
      return pg != null && pg.getStatus() != null && pg.getStatus().getObservedGeneration() != null
          && pg.getStatus().getObservedGeneration().equals(pg.getMetadata().getGeneration()) && test.test(pg.getStatus());
    });
    return client.resources(ProcessGroup.class).inNamespace(ns).withName(name).get().getStatus();
  }

  String awaitLog(Pod pod, String container, String marker) {
    String[] line = new String[1];
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      String log = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).inContainer(container).getLog();
      line[0] = log.lines().filter(l -> l.startsWith(marker)).findFirst().orElse(null);
      return line[0] != null;
    });
    return line[0];
  }

  /** The value of the first sample of NAME whose labels contain every one of LABELS (each as key="value"). */
  static double metricValue(String text, String name, String... labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)}\\s+(\\S+)").matcher(text);
    while (m.find()) {
      String found = m.group(1);
      if (java.util.Arrays.stream(labels).allMatch(found::contains)) return Double.parseDouble(m.group(2));
    }
    throw new AssertionError(name + " with " + String.join(",", labels) + " not in the scrape:\n"
        + text.lines().filter(l -> l.startsWith(name)).collect(java.util.stream.Collectors.joining("\n")));
  }

  static double metricValue(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+(\\S+)").matcher(text);
    if (!m.find()) throw new AssertionError(name + " not in the scrape");
    return Double.parseDouble(m.group(2));
  }
}
