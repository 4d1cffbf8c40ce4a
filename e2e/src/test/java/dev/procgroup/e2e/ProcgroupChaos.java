package dev.procgroup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos suite (issue 9, part 6) on the local cluster: each step breaks one thing for real (the operator pod,
 * kube-apiserver, a sidecar container, an app process, the spec, the children), waits for the group to heal with
 * no human step, and asserts exact counts from this test's own watch (no lost and no duplicate Deployments or
 * pods). Every wait is bounded; every step has a JUnit timeout; an apiserver outage is always released. Recovery
 * times are printed as "[measure] chaos ..." lines and written to target/chaos-measurements.txt.
 * Run by the test command's chaos phase ({@code mvn -pl e2e -Pchaos verify}); without a cluster it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcgroupChaos {
  static final String OPERATOR_NS = "procgroup-system";
  static final String HUB_CONTAINER = "procgroup-hub";
  static final Path GROUPS = Path.of("src/test/resources/groups");
  static final Path MEASUREMENTS = Path.of("target/chaos-measurements.txt");
  static final Duration CONVERGE = Duration.ofMinutes(2);
  /** A repair made from informer caches takes well under a second; this only bounds a missing one. */
  static final Duration REPAIR = Duration.ofSeconds(30);

  LocalCluster cluster;
  KubernetesClient client;
  ControlPlane control;
  NamespaceWatch watch;
  String ns;
  final List<String> measurements = new ArrayList<>();

  @BeforeAll
  void connect() throws Exception {
    cluster = LocalCluster.get();
    client = cluster.client;
    control = new ControlPlane(cluster);
    assertThat(control.apiserverReady()).as("kube-apiserver ready before the chaos starts").isTrue();
    Files.createDirectories(MEASUREMENTS.getParent());
    Files.writeString(MEASUREMENTS, "");
    // The e2e suite before this phase ends with helm uninstall: install (or keep) the operator.
    cluster.helm("upgrade", "--install", "procgroup", LocalCluster.ROOT.resolve("helm/procgroup").toString(),
        "--namespace", OPERATOR_NS, "--create-namespace", "--wait", "--timeout", "180s");
    ns = cluster.newRestrictedNamespace("chaos");
    watch = new NamespaceWatch(client, ns);
  }

  @AfterAll
  void cleanUp() {
    if (control != null) control.releaseApiserver();
    try {
      if (ns != null) {
        // Every group goes through the operator's ordered stop; then the namespace.
        cluster.kubectlResult("delete", "procgroups", "--all", "-n", ns, "--wait=true", "--timeout=120s");
        client.namespaces().withName(ns).delete();
      }
    } finally {
      if (watch != null) watch.close();
    }
  }

  // -- 1. the operator force-killed in the middle of an ordered rollout --------------------------------------

  @Test
  @Order(10)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void step1_operatorKilledMidRolloutComesBackAndConvergesWithoutDuplicates() {
    String g = "chaos-rollout";
    Map<String, Integer> scale = Map.of("db", 1, "api", 2, "worker", 1);
    Map<Integer, List<String>> orders = Map.of(0, List.of("db"), 1, List.of("api"), 2, List.of("worker"));
    applyAndAwaitRunning(g, "4/4");
    Instant start = Instant.now();
    String stamp = start.toString();
    cluster.kubectl("annotate", "-n", ns, "procgroup/" + g, "procgroup.dev/restartedAt=" + stamp, "--overwrite");
    await().atMost(Duration.ofSeconds(60)).until(() -> watch.stampApplied.containsKey(g + "-db@" + stamp));
    assertThat(watch.stampApplied).as("order 2 waits for orders 0 and 1").doesNotContainKey(g + "-worker@" + stamp);
    String old = operatorPod().getMetadata().getName();
    Instant killed = Instant.now();
    cluster.kubectl("delete", "pod", "-n", OPERATOR_NS, old, "--grace-period=0", "--force");
    assertThat(watch.stampRolledOut).as("the operator was killed before order 2 restarted")
        .doesNotContainKey(g + "-worker@" + stamp);
    await().atMost(CONVERGE).until(() -> {
      Pod p = operatorPod();
      return p != null && !p.getMetadata().getName().equals(old) && ready(p);
    });
    Instant operatorBack = Instant.now();
    // Every process rolls out the stamp (seen by this test's watch), then: ordered, from the same watch, order
    // k+1's template took the stamp only after every order-k Deployment had rolled it out (all replicas
    // updated and available), also across the operator's restart.
    await().atMost(CONVERGE).until(() -> scale.keySet().stream()
        .allMatch(p -> watch.stampRolledOut.containsKey(g + "-" + p + "@" + stamp)));
    for (int k = 0; k < 2; k++) {
      Instant lowerRolledOut = orders.get(k).stream().map(p -> watch.stampRolledOut.get(g + "-" + p + "@" + stamp))
          .max(Instant::compareTo).orElseThrow();
      Instant higherApplied = orders.get(k + 1).stream().map(p -> watch.stampApplied.get(g + "-" + p + "@" + stamp))
          .min(Instant::compareTo).orElseThrow();
      assertThat(higherApplied).as("order %d restarted only after order %d rolled out Ready", k + 1, k)
          .isAfter(lowerRolledOut);
    }
    awaitStatus(g, s -> running(s, "4/4"), CONVERGE);
    Instant converged = Instant.now();
    measure("step 1, operator pod force-killed mid-rollout: new operator Ready in %d ms, every order rolled out in "
        + "order and the group Running 4/4 %d ms after the kill", ms(killed, operatorBack), ms(killed, converged));

    // Exact counts: the same Deployment objects (none deleted and re-created, none extra); per process exactly
    // one live ReplicaSet and `scale` live pods, all with the stamp; and exactly one new pod per replica.
    assertExactDeployments(g, scale.keySet());
    for (var e : scale.entrySet()) {
      String process = e.getKey();
      List<Pod> live = livePods(g, process);
      assertThat(live).as("live pods of %s", process).hasSize(e.getValue())
          .allSatisfy(p -> assertThat(p.getMetadata().getAnnotations()).containsEntry("procgroup.dev/restartedAt", stamp));
      assertThat(watch.podsAddedAfter(g, process, start)).as("pods created for %s by the restart", process)
          .hasSize(e.getValue());
      List<ReplicaSet> active = client.apps().replicaSets().inNamespace(ns).withLabel(NamespaceWatch.GROUP, g)
          .withLabel(NamespaceWatch.PROCESS, process).list().getItems().stream()
          .filter(rs -> rs.getSpec().getReplicas() != null && rs.getSpec().getReplicas() > 0).toList();
      assertThat(active).as("one live ReplicaSet for %s", process).hasSize(1);
    }
    deleteGroup(g);
  }

  // -- 2. kube-apiserver held down for 60 s during a scale change -------------------------------------------

  static final Duration OUTAGE = Duration.ofSeconds(60);

  @Test
  @Order(20)
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void step2_apiserverDown60sDuringAScaleChangeConvergesWithNoHumanStep() {
    String g = "chaos-scale";
    applyAndAwaitRunning(g, "2/2");
    Pod tail = single(livePods(g, "tail"));
    int operatorRestarts = operatorRestarts();
    Instant start = Instant.now();
    patchSpec(g, "web", 0, "scale", 3);
    Instant down = Instant.now();
    long pid = control.holdAndKillApiserver();
    Instant released;
    try {
      // The outage's length is the point here: the apiserver must stay down for all of it.
      await().during(OUTAGE).atMost(OUTAGE.plusSeconds(20)).pollInterval(Duration.ofSeconds(1))
          .until(() -> !control.apiserverReady());
    } finally {
      control.releaseApiserver();
      released = Instant.now();
    }
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(control::apiserverReady);
    Instant back = Instant.now();
    assertThat(control.pidOf("kube-apiserver")).as("a new kube-apiserver").isNotEqualTo(pid);
    // The operator's part (the Deployment scaled), then the cluster's (pods scheduled, started, Ready: the
    // controller-manager and scheduler lost their leases in the outage and must win them back first).
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> Integer.valueOf(3).equals(deployment(g + "-web").getSpec().getReplicas()));
    Instant applied = Instant.now();
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> livePods(g, "web").stream().filter(p -> p.getSpec().getNodeName() != null).count() == 3);
    Instant scheduled = Instant.now();
    ProcessGroupStatus s = awaitStatus(g, st -> running(st, "4/4") && process(st, "web").getDesired() == 3,
        Duration.ofMinutes(3));
    Instant converged = Instant.now();
    await().atMost(CONVERGE).until(() -> ready(operatorPod()));
    int restartsDuring = operatorRestarts() - operatorRestarts;
    measure("step 2, kube-apiserver SIGKILLed and held down %d s right after a scale change 1 -> 3: apiserver back %d ms "
        + "after the hold was released; Deployment web at 3 replicas (the operator) %d ms, its 3 pods scheduled (the "
        + "controller-manager and scheduler, back from lost leases) %d ms and the group Running 4/4 with "
        + "observedGeneration %d = generation %d ms after the apiserver was back (%d ms after the change); the "
        + "operator container restarted %d times meanwhile", Duration.between(down, released).toSeconds(),
        ms(released, back), Math.max(0, ms(back, applied)), ms(back, scheduled), s.getObservedGeneration(),
        ms(back, converged), ms(start, converged), restartsDuring);
    assertThat(deployment(g + "-web").getSpec().getReplicas()).isEqualTo(3);
    assertThat(livePods(g, "web")).hasSize(3).allSatisfy(p -> assertThat(NamespaceWatch.podReady(p)).isTrue());

    // Not a zombie: a change made now is acted on too.
    Instant second = Instant.now();
    patchSpec(g, "web", 0, "scale", 2);
    awaitStatus(g, st -> running(st, "3/3") && process(st, "web").getDesired() == 2, CONVERGE);
    await().atMost(CONVERGE).until(() -> livePods(g, "web").size() == 2 && podsGoneFromWatch(g, "web"));
    measure("step 2, after the outage: scale 3 -> 2 converged in %d ms", ms(second, Instant.now()));

    // Exact counts: the same two Deployments; web got exactly the two pods it was scaled up by; tail's one pod
    // came through the outage untouched (same pod, never asked to stop, no restart).
    assertExactDeployments(g, Set.of("web", "tail"));
    awaitWatchSees(g);
    assertThat(watch.podsAddedAfter(g, "web", start)).as("web pods created by 1 -> 3 -> 2").hasSize(2);
    Pod tailNow = single(livePods(g, "tail"));
    assertThat(tailNow.getMetadata().getUid()).as("tail's pod").isEqualTo(tail.getMetadata().getUid());
    assertThat(watch.pods(g, "tail", p -> p.stopRequested != null)).as("tail pods asked to stop").isEmpty();
    assertThat(ControlPlane.containerStatus(tailNow, "tail").getRestartCount()).isZero();
    deleteGroup(g);
  }

  // -- 3. a provider's sidecar killed during a stream of hub calls ------------------------------------------

  /** One hub call of the stream, as the caller's script logged it. */
  record Call(long at, String status, long ms, String error) {
    boolean ok() { return "200".equals(status); }
  }

  @Test
  @Order(30)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void step3_aProvidersSidecarKilledDuringAStreamOfHubCallsFailsFastThenRecovers() throws Exception {
    String g = "chaos-hub";
    applyAndAwaitRunning(g, "2/2");
    Pod echo = single(livePods(g, "echo"));
    Pod caller = single(livePods(g, "client"));
    int hubRestarts = ControlPlane.containerStatus(echo, HUB_CONTAINER).getRestartCount();
    // Calls one after another, 50 ms apart, each with a 5 s hub timeout and a 10 s client-side deadline (so a
    // hung call shows as an AbortError rather than stopping the stream); it ends on /tmp/stop-stream or at 150 s.
    String script = "const hub = process.env.PROCGROUP_HUB_URL, fs = require('fs'), end = Date.now() + 150000; let n = 0;"
        + "(async () => { while (Date.now() < end && !fs.existsSync('/tmp/stop-stream')) {"
        + " const t0 = Date.now(); let status, name = '-';"
        + " try { const r = await fetch(hub + '/v1/invoke/echo/hello', {method: 'POST', body: JSON.stringify([n]),"
        + "   headers: {'content-type': 'application/json', 'procgroup-timeout-ms': '5000'}, signal: AbortSignal.timeout(10000)});"
        + "   const b = await r.json().catch(() => ({})); status = r.status; if (b.error) name = b.error.name; }"
        + " catch (e) { status = 'ERR'; name = e.name; }"
        + " n++; console.log('CALL ' + t0 + ' ' + status + ' ' + (Date.now() - t0) + ' ' + name);"
        + " await new Promise(r => setTimeout(r, 50)); }"
        + " console.log('DONE ' + n); })();";
    Path out = Files.createTempFile("chaos-stream-", ".out");
    Process stream = new ProcessBuilder(cluster.kubectl, "--kubeconfig=" + cluster.kubeconfig, "exec", "-n", ns,
        caller.getMetadata().getName(), "-c", "client", "--", "node", "-e", script)
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    long killedAt;
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> calls(out).stream().filter(Call::ok).count() >= 10);
      killedAt = System.currentTimeMillis();
      control.killContainer(echo, HUB_CONTAINER);
      // Recovered: failures seen after the kill, and the last 20 calls all answered.
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
        List<Call> after = calls(out).stream().filter(c -> c.at() >= killedAt).toList();
        return after.stream().anyMatch(c -> !c.ok()) && after.size() >= 20
            && after.subList(after.size() - 20, after.size()).stream().allMatch(Call::ok);
      });
    } finally {
      cluster.kubectlResult("exec", "-n", ns, caller.getMetadata().getName(), "-c", "client", "--", "touch", "/tmp/stop-stream");
      if (!stream.waitFor(20, TimeUnit.SECONDS)) stream.destroyForcibly();
    }
    String log = Files.readString(out);
    Files.deleteIfExists(out);
    List<Call> calls = calls(log);
    assertThat(log).as("the stream ended by itself, every call logged").containsPattern("(?m)^DONE " + calls.size() + "$");
    List<Call> before = calls.stream().filter(c -> c.at() < killedAt).toList();
    List<Call> after = calls.stream().filter(c -> c.at() >= killedAt).toList();
    List<Call> failed = after.stream().filter(c -> !c.ok()).toList();
    long firstOk = before.stream().filter(Call::ok).findFirst().orElseThrow().at();
    assertThat(before.stream().filter(c -> c.at() >= firstOk)).as("calls before the kill, from the first answer on")
        .allMatch(Call::ok);
    assertThat(failed).as("calls failed while the provider's sidecar was down").isNotEmpty();
    // Fail fast: every failure is the hub's own answer (no transport error, no hang, no timeout), well under the
    // 5 s call timeout.
    assertThat(failed).allSatisfy(c -> {
      assertThat(c.status() + " " + c.error()).as("failure at %d", c.at())
          .isIn("502 ProviderGone", "503 NoReadyProvider", "404 ObjectNotFound");
      assertThat(c.ms()).as("failure at %d returned fast", c.at()).isLessThan(1000);
    });
    long firstFailure = failed.get(0).at(), lastFailure = failed.get(failed.size() - 1).at();
    Call recovered = after.stream().filter(c -> c.ok() && c.at() > lastFailure).findFirst().orElseThrow();
    Map<String, Long> byKind = failed.stream().collect(Collectors.groupingBy(c -> c.status() + " " + c.error(),
        LinkedHashMap::new, Collectors.counting()));
    long flaps = after.stream().filter(c -> c.ok() && c.at() > firstFailure && c.at() < lastFailure).count();
    measure("step 3, provider's sidecar SIGKILLed during a stream of %d hub calls: %d ok before, %d failed (%s; slowest "
        + "%d ms, mean %.0f ms), %d ok after (%d ok in between failures); first failure %d ms after the kill, calls "
        + "succeed again %d ms after the kill", calls.size(), before.size(), failed.size(), byKind,
        failed.stream().mapToLong(Call::ms).max().orElse(0), failed.stream().mapToLong(Call::ms).average().orElse(0),
        after.size() - failed.size(), flaps, firstFailure - killedAt, recovered.at() - killedAt);
    Pod echoNow = single(livePods(g, "echo"));
    assertThat(echoNow.getMetadata().getUid()).as("the provider's pod is the same, its sidecar restarted in place")
        .isEqualTo(echo.getMetadata().getUid());
    assertThat(ControlPlane.containerStatus(echoNow, HUB_CONTAINER).getRestartCount()).isEqualTo(hubRestarts + 1);
    assertThat(single(livePods(g, "client")).getMetadata().getUid()).isEqualTo(caller.getMetadata().getUid());
    assertExactDeployments(g, Set.of("echo", "client"));
  }

  static List<Call> calls(Path out) throws IOException {
    return calls(Files.readString(out));
  }

  static List<Call> calls(String log) {
    return log.lines().filter(l -> l.startsWith("CALL ")).map(l -> l.split(" "))
        .map(f -> new Call(Long.parseLong(f[1]), f[2], Long.parseLong(f[3]), f[4])).toList();
  }

  // -- 4. an app process killed three times ----------------------------------------------------------------

  @Test
  @Order(40)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void step4_anAppProcessKilledThreeTimesIsCountedInStatusAndSidecarMetrics() throws Exception {
    String g = "chaos-hub";
    applyAndAwaitRunning(g, "2/2");
    Pod pod = single(livePods(g, "client"));
    String name = pod.getMetadata().getName();
    int base = ControlPlane.containerStatus(pod, "client").getRestartCount();
    int statusBase = process(status(g), "client").getRestarts();
    List<Long> back = new ArrayList<>();
    double startedBeforeLast = 0;
    for (int i = 1; i <= 3; i++) {
      int want = base + i;
      if (i == 3) startedBeforeLast = appStartMetric(client.pods().inNamespace(ns).withName(name).get());
      Instant killed = Instant.now();
      control.killContainer(client.pods().inNamespace(ns).withName(name).get(), "client");
      // The kubelet restarts it (after its back-off: about 0, 10 and 20 s).
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
        Pod p = client.pods().inNamespace(ns).withName(name).get();
        var c = ControlPlane.containerStatus(p, "client");
        return c.getRestartCount() == want && Boolean.TRUE.equals(c.getReady());
      });
      back.add(ms(killed, Instant.now()));
    }
    Instant lastBack = Instant.now();
    ProcessGroupStatus s = awaitStatus(g, st -> process(st, "client").getRestarts() == statusBase + 3
        && running(st, "2/2"), Duration.ofSeconds(60));
    Instant inStatus = Instant.now();
    double before = startedBeforeLast;
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> appStartMetric(client.pods().inNamespace(ns).withName(name).get()) > before);
    Instant inMetrics = Instant.now();
    measure("step 4, app container SIGKILLed 3 times: running and Ready again %s ms after each kill; status.processes"
        + "[client].restarts %d -> %d %d ms and the sidecar's %s moved %d ms after the last restart",
        back, statusBase, process(s, "client").getRestarts(), ms(lastBack, inStatus), ProcgroupE2E.APP_START,
        ms(lastBack, inMetrics));
    assertThat(s.getPhase()).as("3 restarts are under the group's limit of 10").isEqualTo("Running");
    assertThat(single(livePods(g, "client")).getMetadata().getUid()).as("restarted in place, not replaced")
        .isEqualTo(pod.getMetadata().getUid());
    assertExactDeployments(g, Set.of("echo", "client"));
    deleteGroup(g);
  }

  double appStartMetric(Pod pod) throws IOException, InterruptedException {
    return ProcgroupE2E.metricValue(cluster.sidecarMetrics(pod), ProcgroupE2E.APP_START);
  }

  // -- 5. two processes' orders swapped while Ready -----------------------------------------------------------

  @Test
  @Order(50)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void step5_ordersSwappedWhileReadyReSequenceWithNoDowntime() {
    String g = "chaos-swap";
    applyAndAwaitRunning(g, "4/4");
    Set<String> podsBefore = livePods(g, null).stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    Instant swapped = Instant.now();
    cluster.kubectl("patch", "procgroup", g, "-n", ns, "--type=json", "-p",
        "[{\"op\":\"test\",\"path\":\"/spec/processes/0/name\",\"value\":\"first\"},"
            + "{\"op\":\"replace\",\"path\":\"/spec/processes/0/order\",\"value\":1},"
            + "{\"op\":\"test\",\"path\":\"/spec/processes/1/name\",\"value\":\"second\"},"
            + "{\"op\":\"replace\",\"path\":\"/spec/processes/1/order\",\"value\":0}]");
    awaitStatus(g, s -> running(s, "4/4") && process(s, "first").getOrder() == 1 && process(s, "second").getOrder() == 0
        && "1".equals(deployment(g + "-first").getMetadata().getLabels().get("procgroup.dev/order"))
        && "0".equals(deployment(g + "-second").getMetadata().getLabels().get("procgroup.dev/order")), CONVERGE);
    Instant converged = Instant.now();
    int minSecond = watch.minReady(g, "second", swapped, converged);
    int minFirst = watch.minReady(g, "first", swapped, converged);
    measure("step 5, orders of first (0 -> 1) and second (1 -> 0) swapped while Ready: re-sequenced and Running 4/4 in "
        + "%d ms; fewest Ready pods meanwhile: second (now the lower order) %d of 2, first %d of 2",
        ms(swapped, converged), minSecond, minFirst);
    assertThat(minSecond).as("the lower order never lost a Ready pod: %s",
        watch.readinessChanges(g, "second", swapped, converged)).isEqualTo(2);
    assertThat(minFirst).as("nor did the higher one: %s", watch.readinessChanges(g, "first", swapped, converged))
        .isEqualTo(2);
    assertThat(watch.pods(g, null, p -> p.stopRequested != null && p.stopRequested.isAfter(swapped)))
        .as("pods asked to stop by the swap").isEmpty();
    assertThat(livePods(g, null)).extracting(p -> p.getMetadata().getUid()).as("the same pods")
        .containsExactlyInAnyOrderElementsOf(podsBefore);
    assertExactDeployments(g, Set.of("first", "second"));
    deleteGroup(g);
  }

  // -- 6. the group deleted while its last order is still starting -------------------------------------------

  @Test
  @Order(60)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void step6_deletedWhileTheLastOrderIsStartingStopsInReverseAndLeavesNothing() {
    String g = "chaos-stop";
    cluster.kubectl("apply", "-n", ns, "-f", GROUPS.resolve(g + ".yaml").toString());
    // slow (order 2) is started (its container runs) but never Ready; base and auto are.
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<Pod> slow = livePods(g, "slow");
      return !slow.isEmpty() && slow.stream().allMatch(p -> p.getStatus().getContainerStatuses() != null
          && p.getStatus().getContainerStatuses().stream().anyMatch(c -> "slow".equals(c.getName())
              && c.getState().getRunning() != null) && !NamespaceWatch.podReady(p));
    });
    assertThat(client.secrets().inNamespace(ns).withName(g + "-hub").get())
        .as("with peer mTLS (the chart's default) the group has no bearer-token Secret").isNull();
    List<String> children = List.of("serviceaccount/" + g + "-hub", "role/" + g + "-hub",
        "rolebinding/" + g + "-hub", "service/" + g + "-hub", "service/" + g + "-base", "horizontalpodautoscaler/" + g + "-auto",
        "deployment/" + g + "-base", "deployment/" + g + "-auto", "deployment/" + g + "-slow");
    assertThat(cluster.kubectl(prepend(children, "get", "-n", ns, "-o", "name")).lines().toList())
        .as("every kind of child exists before the delete").hasSize(children.size());
    awaitWatchSees(g);
    Set<String> counted = livePods(g, null).stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    assertThat(counted).hasSize(3);
    Instant deleted = Instant.now();
    cluster.kubectl("delete", "-n", ns, "procgroup/" + g, "--wait=false");
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250))
        .until(() -> client.resources(ProcessGroup.class).inNamespace(ns).withName(g).get() == null);
    Instant gone = Instant.now();
    String selector = NamespaceWatch.GROUP + "=" + g;
    String kinds = "deployments,replicasets,pods,services,secrets,serviceaccounts,roles,rolebindings,"
        + "horizontalpodautoscalers,networkpolicies";
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(cluster.kubectl("get", kinds, "-n", ns, "-l", selector, "-o", "name").strip()).as("left by label").isEmpty();
      assertThat(cluster.kubectl(prepend(children, "get", "-n", ns, "-o", "name", "--ignore-not-found")).strip())
          .as("left by name").isEmpty();
    });
    Instant clean = Instant.now();
    await().atMost(Duration.ofSeconds(30)).until(() -> watch.pods(g, null, p -> counted.contains(p.uid) && p.gone == null).isEmpty());
    // Reverse order, from the watch: order k-1 was asked to stop only after the last pod of order k was gone.
    Map<Integer, String> orders = Map.of(0, "base", 1, "auto", 2, "slow");
    List<String> gaps = new ArrayList<>();
    for (int k = 2; k > 0; k--) {
      Instant higherGone = watch.pods(g, orders.get(k), p -> counted.contains(p.uid)).stream()
          .map(p -> Objects.requireNonNull(p.gone, p.name + " gone")).max(Instant::compareTo).orElseThrow();
      Instant lowerStopped = watch.pods(g, orders.get(k - 1), p -> counted.contains(p.uid)).stream()
          .map(p -> Objects.requireNonNull(p.stopRequested, p.name + " stopped")).min(Instant::compareTo).orElseThrow();
      assertThat(lowerStopped).as("order %d stops only after order %d's pods are gone", k - 1, k)
          .isAfterOrEqualTo(higherGone);
      gaps.add(orders.get(k) + " gone -> " + orders.get(k - 1) + " stopping: " + ms(higherGone, lowerStopped) + " ms");
    }
    measure("step 6, deleted while order 2 was starting: stopped in reverse order (%s), finalizer removed %d ms after "
        + "the delete, nothing left (Deployments, ReplicaSets, pods, Service, ServiceAccount, Role, "
        + "RoleBinding, HPA) %d ms after it", String.join(", ", gaps), ms(deleted, gone), ms(deleted, clean));
    assertThat(watch.pods(g, null, p -> !counted.contains(p.uid) && p.added.isAfter(deleted)))
        .as("pods created after the delete").isEmpty();
  }

  static String[] prepend(List<String> tail, String... head) {
    List<String> all = new ArrayList<>(List.of(head));
    all.addAll(tail);
    return all.toArray(String[]::new);
  }

  // -- 7. children deleted and a template hand-edited: repaired ----------------------------------------------

  static final String REPAIRED = "chaos-repair";

  /**
   * The identity issuer (the operator) down while a pod is replaced: web's new sidecar cannot get its certificate,
   * so the pod waits (its sidecar does not start serving, its app does not start); once the operator is back the
   * certificate is issued and the pod starts, with no human step. Peer mTLS is the chart's default, so no Secret
   * is involved: the hub Secret of the token mode is not made at all.
   */
  @Test
  @Order(70)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void step7a_aPodReplacedWhileTheIdentityIssuerIsDownStartsOnceItIsBack() {
    applyAndAwaitRunning(REPAIRED, "2/2");
    assertThat(client.secrets().inNamespace(ns).withName(REPAIRED + "-hub").get()).as("no hub Secret with mTLS").isNull();
    var operator = client.apps().deployments().inNamespace(OPERATOR_NS).withName("procgroup");
    Pod web = single(livePods(REPAIRED, "web"));
    Instant down = Instant.now();
    try {
      operator.scale(0);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> client.pods()
          .inNamespace(OPERATOR_NS).withLabel("app.kubernetes.io/component", "operator").list().getItems().isEmpty());
      cluster.kubectl("delete", "pod", web.getMetadata().getName(), "-n", ns, "--wait=false");
      // The Deployment controller replaces the pod; without an issuer its sidecar cannot become Ready.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> livePods(REPAIRED, "web")
          .stream().anyMatch(p -> !p.getMetadata().getUid().equals(web.getMetadata().getUid())));
      Pod replacement = livePods(REPAIRED, "web").stream()
          .filter(p -> !p.getMetadata().getUid().equals(web.getMetadata().getUid())).findFirst().orElseThrow();
      await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(500))
          .until(() -> { Pod p = client.pods().inNamespace(ns).withName(replacement.getMetadata().getName()).get();
            return p != null && !NamespaceWatch.podReady(p); });
    } finally {
      operator.scale(1);
    }
    Instant back = Instant.now();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<Pod> live = livePods(REPAIRED, "web");
      return live.size() == 1 && !live.get(0).getMetadata().getUid().equals(web.getMetadata().getUid())
          && NamespaceWatch.podReady(live.get(0));
    });
    Instant podReady = Instant.now();
    awaitStatus(REPAIRED, s -> running(s, "2/2"), CONVERGE);
    measure("step 7, the identity issuer (operator scaled to 0) down while web's pod was replaced: the new pod stayed "
        + "un-Ready for the %d ms the operator was down; after it was scaled back, the pod was Ready in %d ms and the "
        + "group Running in %d ms", ms(down, back), ms(back, podReady), ms(back, Instant.now()));
    assertExactDeployments(REPAIRED, Set.of("web", "auto"));
  }

  @Test
  @Order(71)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void step7b_theHubServiceAccountRoleRoleBindingAndServiceDeletedAreRecreated() {
    applyAndAwaitRunning(REPAIRED, "2/2");
    String name = REPAIRED + "-hub";
    long sa = deleteAndAwaitRecreated("serviceaccount", name, () -> client.serviceAccounts().inNamespace(ns).withName(name).get());
    long role = deleteAndAwaitRecreated("role", name, () -> client.rbac().roles().inNamespace(ns).withName(name).get());
    long binding = deleteAndAwaitRecreated("rolebinding", name,
        () -> client.rbac().roleBindings().inNamespace(ns).withName(name).get());
    long service = deleteAndAwaitRecreated("service", name, () -> client.services().inNamespace(ns).withName(name).get());
    measure("step 7, %s ServiceAccount, Role, RoleBinding and hub Service deleted one after the other: recreated in "
        + "%d, %d, %d, %d ms", name, sa, role, binding, service);
    assertThat(client.rbac().roles().inNamespace(ns).withName(name).get().getRules()).singleElement()
        .satisfies(r -> {
          assertThat(r.getApiGroups()).containsExactly("discovery.k8s.io");
          assertThat(r.getResources()).containsExactly("endpointslices");
          assertThat(r.getVerbs()).containsExactlyInAnyOrder("list", "watch");
        });
    assertThat(client.services().inNamespace(ns).withName(name).get().getSpec().getPublishNotReadyAddresses()).isTrue();
  }

  @Test
  @Order(72)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void step7c_aProcessServiceDeletedIsRecreated() {
    applyAndAwaitRunning(REPAIRED, "2/2");
    String name = REPAIRED + "-web";
    long ms = deleteAndAwaitRecreated("service", name, () -> client.services().inNamespace(ns).withName(name).get());
    measure("step 7, Service %s deleted: recreated in %d ms", name, ms);
    assertThat(client.services().inNamespace(ns).withName(name).get().getSpec().getSelector())
        .containsEntry(NamespaceWatch.GROUP, REPAIRED).containsEntry(NamespaceWatch.PROCESS, "web");
  }

  @Test
  @Order(73)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void step7d_anAutoscalerDeletedIsRecreated() {
    applyAndAwaitRunning(REPAIRED, "2/2");
    String name = REPAIRED + "-auto";
    long ms = deleteAndAwaitRecreated("horizontalpodautoscaler", name,
        () -> client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(name).get());
    measure("step 7, HorizontalPodAutoscaler %s deleted: recreated in %d ms", name, ms);
    var hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(name).get();
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(name);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(2);
  }

  @Test
  @Order(74)
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void step7e_aHandEditedPodTemplateIsRepaired() {
    applyAndAwaitRunning(REPAIRED, "2/2");
    String name = REPAIRED + "-web";
    String uid = deployment(name).getMetadata().getUid();
    Instant edited = Instant.now();
    cluster.kubectl("patch", "deployment", name, "-n", ns, "--type=json", "-p",
        "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/env/-\",\"value\":{\"name\":\"CHAOS_EDIT\",\"value\":\"by-hand\"}}]");
    Predicate<List<EnvVar>> edit = env -> env != null && env.stream().anyMatch(e -> "CHAOS_EDIT".equals(e.getName()));
    await().atMost(REPAIR).pollInterval(Duration.ofMillis(200))
        .until(() -> !edit.test(deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()));
    Instant repaired = Instant.now();
    // ...and the pods run the repaired template: one web pod, current, without the edit.
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).until(() -> {
      Deployment d = deployment(name);
      var st = d.getStatus();
      List<Pod> live = livePods(REPAIRED, "web");
      return st != null && Objects.equals(st.getObservedGeneration(), d.getMetadata().getGeneration())
          && NamespaceWatch.eq(st.getUpdatedReplicas(), 1) && NamespaceWatch.eq(st.getAvailableReplicas(), 1)
          && NamespaceWatch.eq(st.getReplicas(), 1) && live.size() == 1
          && !edit.test(live.get(0).getSpec().getContainers().get(0).getEnv()) && NamespaceWatch.podReady(live.get(0));
    });
    awaitStatus(REPAIRED, s -> running(s, "2/2"), CONVERGE);
    measure("step 7, web's pod template hand-edited (env CHAOS_EDIT added): template repaired in %d ms, pods back on "
        + "it and the group Running %d ms after the edit", ms(edited, repaired), ms(edited, Instant.now()));
    assertThat(deployment(name).getMetadata().getUid()).as("repaired in place, not re-created").isEqualTo(uid);
    assertExactDeployments(REPAIRED, Set.of("web", "auto"));
  }

  /**
   * After the repairs (web's pod started on a certificate issued after an issuer outage, a hand edit undone), the
   * group's pods still call each other through the hub: auto's pod (there before the repairs) publishes an object,
   * web's pod (started after them) calls it, over mTLS.
   */
  @Test
  @Order(75)
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void step7f_afterTheRepairsThePodsStillCallEachOtherThroughTheHub() throws Exception {
    applyAndAwaitRunning(REPAIRED, "2/2");
    Pod auto = single(livePods(REPAIRED, "auto"));
    Pod web = single(livePods(REPAIRED, "web"));
    String publisher = "const ws = new WebSocket(process.env.PROCGROUP_HUB_URL.replace(/^http/, 'ws') + '/v1/connect');"
        + " ws.onopen = () => ws.send(JSON.stringify({op: 'publish', object: 'repairEcho', methods: ['hello']}));"
        + " ws.onmessage = (m) => { const f = JSON.parse(m.data); if (f.op === 'published') console.log('PUBLISHED');"
        + " else if (f.op === 'invoke') ws.send(JSON.stringify({op: 'result', id: f.id, result: 'hi from ' + process.env.PROCGROUP_POD_NAME})); };"
        + " setTimeout(() => process.exit(0), 100000);";
    Path out = Files.createTempFile("chaos-publisher-", ".out");
    Process p = new ProcessBuilder(cluster.kubectl, "--kubeconfig=" + cluster.kubeconfig, "exec", "-n", ns,
        auto.getMetadata().getName(), "-c", "auto", "--", "node", "--experimental-websocket", "-e", publisher)
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    String call = "fetch(process.env.PROCGROUP_HUB_URL + '/v1/invoke/repairEcho/hello', {method: 'POST', body: '[]',"
        + " headers: {'content-type': 'application/json', 'procgroup-timeout-ms': '3000'}})"
        + ".then(async r => console.log('STATUS ' + r.status + ' ' + await r.text()), e => console.log('ERROR ' + e.message))";
    Instant start = Instant.now();
    String[] last = new String[1];
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        last[0] = cluster.kubectlResult("exec", "-n", ns, web.getMetadata().getName(), "-c", "web", "--", "node", "-e", call).out();
        return last[0].contains("STATUS 200") && last[0].contains("hi from " + auto.getMetadata().getName());
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("web -> auto through the hub, last answer: " + last[0] + "\npublisher: "
          + Files.readString(out), e);
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(out);
    }
    double refused = 0;
    for (Pod pod : List.of(auto, web)) {
      refused += ProcgroupE2E.metricValue(cluster.sidecarMetrics(pod), "procgroup_hub_peer_auth_failures_total");
    }
    measure("step 7, after the repairs: web's new pod called an object published in auto's pod through the hub "
        + "(answered %d ms after the publisher started; peer connections or requests refused meanwhile: %.0f)",
        ms(start, Instant.now()), refused);
    deleteGroup(REPAIRED);
  }

  /** Deletes one child and waits for the operator to create it anew (another UID); returns the time it took. */
  long deleteAndAwaitRecreated(String kind, String name, Supplier<HasMetadata> get) {
    HasMetadata before = get.get();
    assertThat(before).as("%s/%s before the delete", kind, name).isNotNull();
    Instant deleted = Instant.now();
    cluster.kubectl("delete", kind, name, "-n", ns, "--wait=true", "--timeout=60s");
    await().atMost(REPAIR).pollInterval(Duration.ofMillis(100)).until(() -> {
      HasMetadata now = get.get();
      return now != null && !now.getMetadata().getUid().equals(before.getMetadata().getUid());
    });
    long took = ms(deleted, Instant.now());
    assertOwned(kind + "/" + name, get.get());
    return took;
  }

  /** A child the operator made: the group's labels and the group as its owner. */
  static void assertOwned(String what, HasMetadata o) {
    assertThat(o.getMetadata().getLabels()).as("%s labels", what).containsEntry(NamespaceWatch.GROUP, REPAIRED);
    assertThat(o.getMetadata().getOwnerReferences()).as("%s owner", what)
        .anySatisfy(r -> assertThat(r.getName()).isEqualTo(REPAIRED));
  }

  // -- helpers ----------------------------------------------------------------------------------------------

  void measure(String format, Object... args) {
    String line = "[measure] chaos " + String.format(format, args);
    System.out.println(line);
    measurements.add(line);
    try {
      Files.writeString(MEASUREMENTS, String.join("\n", measurements) + "\n");
    } catch (IOException e) {
      throw new AssertionError("cannot write " + MEASUREMENTS, e);
    }
  }

  static long ms(Instant from, Instant to) { return Duration.between(from, to).toMillis(); }

  /** Applies the group (idempotent) and waits until it runs with READY {@code ready}. */
  // -- 8. deletions that bypass the reverse order (operator/README.md, Stop): they still end, leaving nothing ----

  /**
   * {@code kubectl delete --cascade=foreground}: the garbage collector deletes every order at once (documented), but
   * the group goes away only after its pods (the finalizer holds it), and nothing is left.
   */
  @Test
  @Order(80)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void step8a_aForegroundCascadeEndsWithTheGroupGoneAfterItsPods() {
    String g = "chaos-stop";
    cluster.kubectl("apply", "-n", ns, "-f", GROUPS.resolve(g + ".yaml").toString());
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).until(() -> livePods(g, "slow").size() == 1);
    Instant deleted = Instant.now();
    cluster.kubectl("delete", "-n", ns, "procgroup/" + g, "--cascade=foreground", "--wait=false");
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
        .until(() -> client.resources(ProcessGroup.class).inNamespace(ns).withName(g).get() == null);
    Instant gone = Instant.now();
    assertThat(client.pods().inNamespace(ns).withLabel(NamespaceWatch.GROUP, g).list().getItems())
        .as("pods of the group when the group is gone").isEmpty();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(cluster.kubectl("get", "deployments,replicasets,pods,services,serviceaccounts,roles,rolebindings,"
            + "horizontalpodautoscalers,networkpolicies", "-n", ns, "-l", NamespaceWatch.GROUP + "=" + g, "-o", "name")
            .strip()).as("left by label").isEmpty());
    measure("step 8a, deleted with --cascade=foreground: the group gone %d ms after the delete, after its pods, "
        + "nothing left %d ms after it", ms(deleted, gone), ms(deleted, Instant.now()));
  }

  /** The namespace deleted under a running group: the operator's finalizer does not hold the namespace forever. */
  @Test
  @Order(81)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void step8b_aNamespaceDeletedUnderARunningGroupGoesAway() {
    String other = ns + "-gone";
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(other).endMetadata().build())
        .create();
    cluster.kubectl("apply", "-n", other, "-f", GROUPS.resolve("chaos-stop.yaml").toString());
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).until(() ->
        client.pods().inNamespace(other).withLabel(NamespaceWatch.GROUP, "chaos-stop").list().getItems().size() == 3);
    Instant deleted = Instant.now();
    client.namespaces().withName(other).delete();
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
        .until(() -> client.namespaces().withName(other).get() == null);
    measure("step 8b, namespace deleted under a running group (3 orders): namespace gone %d ms after the delete",
        ms(deleted, Instant.now()));
  }

  void applyAndAwaitRunning(String group, String ready) {
    if (client.resources(ProcessGroup.class).inNamespace(ns).withName(group).get() == null) {
      Instant applied = Instant.now();
      cluster.kubectl("apply", "-n", ns, "-f", GROUPS.resolve(group + ".yaml").toString());
      awaitStatus(group, s -> running(s, ready), Duration.ofMinutes(3));
      System.out.printf("%s: kubectl apply -> Running %s in %d ms%n", group, ready, ms(applied, Instant.now()));
    } else {
      awaitStatus(group, s -> running(s, ready), Duration.ofSeconds(60)); // left Running by the step before
    }
  }

  void deleteGroup(String group) {
    cluster.kubectl("delete", "-n", ns, "procgroup/" + group, "--wait=true", "--timeout=120s");
  }

  /** JSON-patches one field of the process at {@code index} (checked by name first). */
  void patchSpec(String group, String process, int index, String field, Object value) {
    cluster.kubectl("patch", "procgroup", group, "-n", ns, "--type=json", "-p",
        "[{\"op\":\"test\",\"path\":\"/spec/processes/" + index + "/name\",\"value\":\"" + process + "\"},"
            + "{\"op\":\"add\",\"path\":\"/spec/processes/" + index + "/" + field + "\",\"value\":" + value + "}]");
  }

  static boolean running(ProcessGroupStatus s, String ready) {
    return "Running".equals(s.getPhase()) && ready.equals(s.getReady());
  }

  ProcessGroupStatus status(String group) {
    ProcessGroup pg = client.resources(ProcessGroup.class).inNamespace(ns).withName(group).get();
    return pg == null ? null : pg.getStatus();
  }

  /** Waits for a status describing the latest spec (observedGeneration == generation) that passes {@code test}. */
  ProcessGroupStatus awaitStatus(String group, Predicate<ProcessGroupStatus> test, Duration timeout) {
    ProcessGroupStatus[] last = new ProcessGroupStatus[1];
    await().atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
      ProcessGroup pg = client.resources(ProcessGroup.class).inNamespace(ns).withName(group).get();
      if (pg == null || pg.getStatus() == null || pg.getStatus().getObservedGeneration() == null
          || !pg.getStatus().getObservedGeneration().equals(pg.getMetadata().getGeneration())) return false;
      last[0] = pg.getStatus();
      return test.test(pg.getStatus());
    });
    return last[0];
  }

  static ProcessStatus process(ProcessGroupStatus s, String name) {
    return s.getProcesses().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
  }

  /** Pods of the process (every process with null) that are not terminating, from the API. */
  List<Pod> livePods(String group, String process) {
    var pods = client.pods().inNamespace(ns).withLabel(NamespaceWatch.GROUP, group);
    if (process != null) pods = pods.withLabel(NamespaceWatch.PROCESS, process);
    return pods.list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  static Pod single(List<Pod> pods) {
    assertThat(pods).hasSize(1);
    return pods.get(0);
  }

  Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  /** The group has exactly these processes' Deployments, and each name was only ever one object (one UID). */
  void assertExactDeployments(String group, Set<String> processes) {
    List<Deployment> ds = client.apps().deployments().inNamespace(ns).withLabel(NamespaceWatch.GROUP, group).list().getItems();
    Set<String> names = processes.stream().map(p -> group + "-" + p).collect(Collectors.toSet());
    assertThat(ds).extracting(d -> d.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(names);
    for (Deployment d : ds) {
      assertThat(watch.deploymentUids.get(d.getMetadata().getName())).as("objects ever named %s", d.getMetadata().getName())
          .containsExactly(d.getMetadata().getUid());
    }
  }

  /** The watch has caught up with the API: it knows every live pod of the group (after a relist, say). */
  void awaitWatchSees(String group) {
    await().atMost(Duration.ofSeconds(60)).until(() -> livePods(group, null).stream()
        .allMatch(p -> watch.pods.containsKey(p.getMetadata().getUid())));
  }

  /** Every pod of the process the API no longer lists has been seen gone by the watch. */
  boolean podsGoneFromWatch(String group, String process) {
    Set<String> listed = client.pods().inNamespace(ns).withLabel(NamespaceWatch.GROUP, group)
        .withLabel(NamespaceWatch.PROCESS, process).list().getItems().stream().map(p -> p.getMetadata().getUid())
        .collect(Collectors.toSet());
    return watch.pods(group, process, p -> !listed.contains(p.uid)).stream().allMatch(p -> p.gone != null);
  }

  Pod operatorPod() {
    return client.pods().inNamespace(OPERATOR_NS).withLabel("app.kubernetes.io/component", "operator").list()
        .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst().orElse(null);
  }

  int operatorRestarts() {
    Pod p = operatorPod();
    return p == null ? 0 : p.getStatus().getContainerStatuses().stream().mapToInt(c -> c.getRestartCount()).sum();
  }

  static boolean ready(Pod p) {
    return p != null && ProcgroupE2E.ready(p);
  }
}
