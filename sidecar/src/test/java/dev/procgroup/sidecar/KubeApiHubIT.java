package dev.procgroup.sidecar;

import dev.procgroup.testing.TestPorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hub scenarios with discovery through a REAL kube-apiserver + etcd (fabric8 kube-api-test, locally built
 * binaries). No scheduler, controllers or kubelet run there: this test creates the Pod objects itself and writes
 * their status ({@code updateStatus}: pod IP 127.0.0.1, the {@code procgroup-hub} native sidecar ready) the way a
 * kubelet would. Several sidecars share one machine, so each pod carries the test-only annotation
 * {@code procgroup.dev/peer-address: 127.0.0.1:<its peer port>}, honoured because the sidecars run with
 * PROCGROUP_PEER_ADDRESS_ANNOTATION=true.
 */
@EnableKubeAPIServer
class KubeApiHubIT extends AbstractHubIT {

  @KubeConfig
  static String kubeConfigYaml;

  static final String NS = "default";
  static final String GROUP = "kube-it";
  static final Map<String, Sidecar> SIDECARS = new LinkedHashMap<>();
  static KubernetesClient kube;
  static KubeAccess access;

  @BeforeAll
  static void startSidecars() {
    kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfigYaml)).build();
    access = accessFrom(kubeConfigYaml);
    // No controller-manager: the ServiceAccount admission plugin needs the default account to exist.
    if (kube.serviceAccounts().inNamespace(NS).withName("default").get() == null) {
      kube.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
          .withName("default").endMetadata().build()).create();
    }
    Map<String, String> processes = Map.of("a", "web", "b", "background", "c", "worker");
    for (String pod : List.of("a", "b", "c")) {
      SIDECARS.put(pod, startPodWithSidecar(pod, processes.get(pod)));
    }
    for (Sidecar s : SIDECARS.values()) awaitReadyPeers(s, 2);
  }

  @AfterAll
  static void stopSidecars() {
    SIDECARS.values().forEach(s -> Await.of(s.stop()));
    SIDECARS.clear();
    kube.pods().inNamespace(NS).withLabel("procgroup.dev/group", GROUP).withGracePeriod(0).delete();
    kube.close();
  }

  @Override Map<String, Sidecar> sidecars() {
    return SIDECARS;
  }

  /** Creates the Pod object, starts its sidecar, then marks the pod running with a ready hub (as a kubelet would). */
  static Sidecar startPodWithSidecar(String pod, String process) {
    int peerPort = TestPorts.free();
    kube.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(pod)
        .addToLabels("procgroup.dev/group", GROUP).addToLabels("procgroup.dev/process", process)
        .addToAnnotations(PodInfo.PEER_ADDRESS_ANNOTATION, "127.0.0.1:" + peerPort).endMetadata()
        .withNewSpec().withShareProcessNamespace(true)
        .addNewInitContainer().withName("procgroup-hub").withImage("docker.io/procgroup/sidecar:0.1.0")
        .withRestartPolicy("Always").endInitContainer()
        .addNewContainer().withName(process).withImage("example/app:1").endContainer()
        .endSpec().build()).create();
    SidecarConfig config = SidecarConfig.builder().group(GROUP).process(process).namespace(NS).podName(pod)
        .podIp("127.0.0.1").hubToken(TOKEN).hubPort(0).peerHost("127.0.0.1").peerPort(peerPort)
        .metricsHost("127.0.0.1").metricsPort(0).appMetrics("off").kube(access).peerAddressAnnotation(true).build();
    Sidecar sidecar = Await.of(new Sidecar(config).start());
    setStatus(pod, process, true, 0);
    await().atMost(Duration.ofSeconds(20)).until(() -> http.get(sidecar.metricsPort(), "/readyz").status() == 200);
    return sidecar;
  }

  static void setStatus(String pod, String process, boolean hubReady, int appRestarts) {
    kube.pods().inNamespace(NS).withName(pod).editStatus(p -> new PodBuilder(p).editOrNewStatus()
        .withPhase("Running").withPodIP("127.0.0.1").withPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP("127.0.0.1")))
        .withInitContainerStatuses(new ContainerStatusBuilder().withName("procgroup-hub")
            .withImage("docker.io/procgroup/sidecar:0.1.0").withImageID("").withReady(hubReady).withStarted(true)
            .withRestartCount(0).withNewState().withNewRunning().endRunning().endState().build())
        .withContainerStatuses(new ContainerStatusBuilder().withName(process).withImage("example/app:1").withImageID("")
            .withReady(true).withStarted(true).withRestartCount(appRestarts).withNewState().withNewRunning().endRunning()
            .endState().build())
        .endStatus().build());
  }

  static void awaitReadyPeers(Sidecar s, int n) {
    await().atMost(Duration.ofSeconds(20)).until(() ->
        metricValue(metrics(s), "procgroup_hub_peers{state=\"ready\"}") == n);
  }

  /** The apiserver URL and the client certificate files named in kube-api-test's kubeconfig. */
  static KubeAccess accessFrom(String yaml) {
    return new KubeAccess(URI.create(field(yaml, "server")), null, null, Path.of(field(yaml, "certificate-authority")),
        Path.of(field(yaml, "client-certificate")), Path.of(field(yaml, "client-key")), false);
  }

  private static String field(String yaml, String key) {
    Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + ":\\s*(\\S+)\\s*$").matcher(yaml);
    if (!m.find()) throw new IllegalStateException(key + " not in kubeconfig:\n" + yaml);
    return m.group(1);
  }

  // ---- what only a real apiserver can show ------------------------------------------------------------------

  @Test
  void aPodDeletedMidCallFailsThePendingCallWithProviderGoneAndLeavesTheGroup() throws Exception {
    Sidecar d = startPodWithSidecar("d", "reporter");
    try {
      awaitReadyPeers(sidecar("a"), 3);
      String obj = uniqueObject("report");
      TestApp publisher = TestApp.connect(clientVertx, d.hubPort());
      apps.add(publisher);
      publisher.handler(f -> new TestApp.Silent()).publish(obj, "build");
      CompletableFuture<Http.Resp> pending = CompletableFuture.supplyAsync(
          () -> http.invoke(hub("a"), obj, "build", "[]", timeout(60_000)));
      await().atMost(Duration.ofSeconds(10)).until(() -> metricValue(metrics(d),
          "procgroup_hub_peer_requests_total{direction=\"in\",op=\"invoke\"}") >= 1);
      long start = System.nanoTime();
      kube.pods().inNamespace(NS).withName("d").withGracePeriod(0).delete();
      Http.Resp r = pending.get(15, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.errorName()).isEqualTo("ProviderGone");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(http.invoke(hub("a"), obj, "build", "[]", Map.of()).errorName()).isEqualTo("ObjectNotFound"));
    } finally {
      Await.of(d.stop());
      kube.pods().inNamespace(NS).withName("d").withGracePeriod(0).delete();
      awaitReadyPeers(sidecar("a"), 2);
    }
  }

  @Test
  void anUnreadyHubTakesThePodOutOfRotationUntilItIsReadyAgain() {
    Sidecar e = startPodWithSidecar("e", "mailer");
    try {
      awaitReadyPeers(sidecar("a"), 3);
      String obj = uniqueObject("mail");
      TestApp publisher = TestApp.connect(clientVertx, e.hubPort());
      apps.add(publisher);
      publisher.publish(obj, "send");
      assertThat(http.invoke(hub("a"), obj, "send", "[]", Map.of()).status()).isEqualTo(200);
      setStatus("e", "mailer", false, 0);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Http.Resp r = http.invoke(hub("a"), obj, "send", "[]", Map.of());
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.errorName()).isEqualTo("NoReadyProvider");
      });
      setStatus("e", "mailer", true, 0);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(http.invoke(hub("a"), obj, "send", "[]", Map.of()).status()).isEqualTo(200));
    } finally {
      Await.of(e.stop());
      kube.pods().inNamespace(NS).withName("e").withGracePeriod(0).delete();
      awaitReadyPeers(sidecar("a"), 2);
    }
  }

  @Test
  void theAppContainersRestartCountComesFromTheOwnPodsStatus() {
    setStatus("a", "web", true, 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> metricValue(metrics(sidecar("a")), "procgroup_app_restarts") == 3);
    setStatus("a", "web", true, 0);
  }
}
