package dev.procgroup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * Pandora.js's documented hub examples (examples/pandora-hub: the doc's sources with only the changes its README
 * lists, check-unchanged.sh proving it) applied as a user would, in a restricted namespace: the math snippet logs
 * 1234, and the procfile's serviceB, in process b's pod, calls serviceA in process a's pod through both sidecars.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PandoraExamplesE2E {
  static final Path EXAMPLE = LocalCluster.ROOT.resolve("examples/pandora-hub/procgroup.yaml");
  static final String MATH = "pandora-math";
  static final String SERVICES = "pandora-service-and-ipc";
  static final Path PAGE_SNAPSHOT_EXAMPLE = LocalCluster.ROOT.resolve("examples/pandora-page-snapshot/procgroup.yaml");
  static final String PAGE_SNAPSHOT = "pandora-page-snapshot";

  LocalCluster cluster;
  KubernetesClient client;
  String ns;
  Instant applied;

  @BeforeAll
  void bothGroupsApplied() throws IOException {
    cluster = LocalCluster.get();
    client = cluster.client;
    cluster.installChartUnlessInstalled();
    ns = cluster.newRestrictedNamespace("pandora");
    applied = Instant.now();
    cluster.kubectl("apply", "-n", ns, "-f", EXAMPLE.toString());
    cluster.kubectl("apply", "-n", ns, "-f", PAGE_SNAPSHOT_EXAMPLE.toString());
  }

  @AfterAll
  void cleanUp() {
    if (ns == null) return;
    cluster.kubectlResult("delete", "-n", ns, "procgroup/" + SERVICES, "--wait=true", "--timeout=180s");
    cluster.kubectlResult("delete", "-n", ns, "procgroup/" + PAGE_SNAPSHOT, "--wait=true", "--timeout=180s");
    cluster.deleteGroupThenNamespace(ns, MATH);
  }

  @Test
  @Order(1)
  void theDocsMathSnippetPrints1234ThroughTheHub() throws Exception {
    cluster.awaitRunning(ns, MATH);
    System.out.printf("[measure] pandora-math: kubectl apply -> Running: %d ms%n", Duration.between(applied, Instant.now()).toMillis());
    Pod math = onlyPod(MATH, "math");
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> logs(MATH, "math").lines().anyMatch("1234"::equals));
    assertThat(logs(MATH, "math").lines().filter(l -> !l.isBlank()).toList())
        .as("the snippet's one console.log, and no error").containsExactly("1234");
    // Published and proxied in one process: the call went through this pod's sidecar to its own app.
    assertThat(ProcgroupE2E.metricValue(cluster.sidecarMetrics(math), "procgroup_hub_calls_total",
        "object=\"math\"", "method=\"abs\"", "route=\"local\"", "outcome=\"ok\"")).isEqualTo(1.0);
    assertThat(restarts(math, "math")).as("math.js ran once; its hub connection keeps the process").isZero();
  }

  @Test
  @Order(2)
  void serviceBInProcessBsPodCallsServiceAInProcessAsPod() throws Exception {
    ProcessGroupStatus s = cluster.awaitRunning(ns, SERVICES);
    System.out.printf("[measure] pandora-service-and-ipc: kubectl apply -> Running (a Ready, then b): %d ms%n",
        Duration.between(applied, Instant.now()).toMillis());
    assertThat(s.getServices()).singleElement().satisfies(svc -> {
      assertThat(svc.getName()).isEqualTo("serviceA");
      assertThat(svc.getProcess()).isEqualTo("a");
      assertThat(svc.getProviders()).isEqualTo(1);
    });
    Pod a = onlyPod(SERVICES, "a");
    Pod b = onlyPod(SERVICES, "b");
    assertThat(a.getStatus().getPodIP()).as("two pods").isNotEqualTo(b.getStatus().getPodIP());

    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> logs(SERVICES, "b").contains("pid from self"));
    String bLog = logs(SERVICES, "b");
    System.out.println("[pandora] b's log, as kubectl logs shows it:\n" + bLog);
    long fromA = number(bLog, "pid from serviceA (\\d+)");
    long self = number(bLog, "pid from self (\\d+)");
    assertThat(bLog).doesNotContain("Error");

    // The pid is a value of a's pod: in a's container it is the node process running process-a.js. (Every container
    // has its own PID namespace, so b's own pid may be the same number: the pid alone does not show the crossing.)
    assertThat(cmdline(a, "a", fromA)).isEqualTo("node process-a.js");
    assertThat(cmdline(b, "b", self)).startsWith("node -e").contains("require('./process-b.js')");

    // The crossing, as both sidecars counted it: b's sidecar sent getPid to a peer, a's served it for one.
    assertThat(ProcgroupE2E.metricValue(cluster.sidecarMetrics(b), "procgroup_hub_calls_total",
        "object=\"serviceA\"", "method=\"getPid\"", "route=\"remote\"", "outcome=\"ok\"")).isEqualTo(1.0);
    assertThat(ProcgroupE2E.metricValue(cluster.sidecarMetrics(a), "procgroup_hub_served_calls_total",
        "object=\"serviceA\"", "method=\"getPid\"", "caller=\"peer\"", "outcome=\"ok\"")).isEqualTo(1.0);
    assertThat(cluster.sidecarMetrics(a)).doesNotContainPattern(
        "procgroup_hub_served_calls_total\\{[^}]*object=\"serviceA\"[^}]*caller=\"local\"");
    assertThat(restarts(a, "a")).isZero();
    assertThat(restarts(b, "b")).as("serviceB started once").isZero();
  }

  /**
   * Pandora's pageSnapshot example, its procfile.js and services unchanged (examples/pandora-page-snapshot, whose
   * check-unchanged.sh compares them byte for byte), each process running @procgroup/hub's procfile runner: web, in
   * process worker's pod, answers {@code /?url=} with the JPEG pageSnapshot.take() made with Chromium in process
   * background's pod, through both sidecars. There is no egress, so the page is an in-cluster one: web's own.
   */
  @Test
  @Order(3)
  void theUnchangedPageSnapshotExampleServesAJpegFromTheBackgroundPod() throws Exception {
    ProcessGroupStatus s = cluster.awaitRunning(ns, PAGE_SNAPSHOT);
    System.out.printf("[measure] pandora-page-snapshot: kubectl apply -> Running (background Ready, then worker): %d ms%n",
        Duration.between(applied, Instant.now()).toMillis());
    assertThat(s.getServices()).singleElement().satisfies(svc -> {
      assertThat(svc.getName()).isEqualTo("pageSnapshot");
      assertThat(svc.getProcess()).isEqualTo("background");
      assertThat(svc.getProviders()).isEqualTo(1);
    });
    Pod worker = onlyPod(PAGE_SNAPSHOT, "worker");
    Pod background = onlyPod(PAGE_SNAPSHOT, "background");
    String web = "http://" + worker.getStatus().getPodIP() + ":5511/";
    assertThat(logs(PAGE_SNAPSHOT, "worker")).contains(
        "[serviceName: web, processName: worker] Service Web Listens On http://127.0.0.1:5511");
    assertThat(logs(PAGE_SNAPSHOT, "background")).contains(
        "[serviceName: pageSnapshot, processName: background] Service PageSnapshot Started");

    long t0 = System.nanoTime();
    var shot = cluster.get(web + "?url=" + java.net.URLEncoder.encode(web, java.nio.charset.StandardCharsets.UTF_8));
    System.out.printf("[measure] pandora-page-snapshot: GET /?url=<web's own page> -> %d bytes in %d ms%n",
        shot.body().length, (System.nanoTime() - t0) / 1_000_000);
    assertThat(shot.statusCode()).as(new String(shot.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(shot.headers().firstValue("content-type")).hasValue("image/jpeg");
    assertThat(shot.body()).as("a JPEG").startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF).hasSizeGreaterThan(1000);

    // It came through the hub from background's pod: worker's sidecar sent take to a peer, background's served it.
    assertThat(ProcgroupE2E.metricValue(cluster.sidecarMetrics(worker), "procgroup_hub_calls_total",
        "object=\"pageSnapshot\"", "method=\"take\"", "route=\"remote\"", "outcome=\"ok\"")).isEqualTo(1.0);
    assertThat(ProcgroupE2E.metricValue(cluster.sidecarMetrics(background), "procgroup_hub_served_calls_total",
        "object=\"pageSnapshot\"", "method=\"take\"", "caller=\"peer\"", "outcome=\"ok\"")).isEqualTo(1.0);
    assertThat(restarts(worker, "worker")).isZero();
    assertThat(restarts(background, "background")).isZero();
  }

  // -- helpers --------------------------------------------------------------------------------------------------

  Pod onlyPod(String group, String process) {
    List<Pod> pods = client.pods().inNamespace(ns).withLabel(NamespaceWatch.GROUP, group)
        .withLabel(NamespaceWatch.PROCESS, process).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    assertThat(pods).as("%s/%s pods", group, process).hasSize(1);
    return pods.get(0);
  }

  /** The app container's log (the container is named after its process). */
  String logs(String group, String process) {
    return client.pods().inNamespace(ns).withName(onlyPod(group, process).getMetadata().getName())
        .inContainer(process).getLog();
  }

  int restarts(Pod pod, String container) {
    Pod now = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
    return ControlPlane.containerStatus(now, container).getRestartCount();
  }

  /** The command line of process PID in the pod's app container, its arguments joined by spaces. */
  String cmdline(Pod pod, String container, long pid) {
    return cluster.kubectl("exec", "-n", ns, pod.getMetadata().getName(), "-c", container, "--",
        "cat", "/proc/" + pid + "/cmdline").replace('\0', ' ').strip();
  }

  static long number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in:\n%s", regex, text).isTrue();
    return Long.parseLong(m.group(1));
  }
}
