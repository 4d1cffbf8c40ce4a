package dev.procgroup.sidecar;

import dev.procgroup.testing.TestPorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
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
 * binaries): list, watch and relist of the hub Service's EndpointSlices. No controllers or kubelet run there, so
 * this test writes the slices the EndpointSlice controller would write for the group's headless hub Service. Several
 * sidecars share one machine, so each pod is in a slice of its own whose port is that sidecar's peer port (a
 * Service may have any number of slices; the real controller lists one port, 7071, for all). The API refuses loopback
 * IPs in slices, so the slices are of address type FQDN, naming {@code <pod>.kube-it.test}, which the sidecars'
 * resolver maps to 127.0.0.1 (a test-only hosts setting).
 */
@EnableKubeAPIServer
class KubeApiHubIT extends AbstractHubIT {

  @KubeConfig
  static String kubeConfigYaml;

  static final String NS = "default";
  static final String GROUP = "kube-it";
  static final String HUB_SERVICE = GROUP + "-hub";
  static final Map<String, Integer> PEER_PORTS = new LinkedHashMap<>();
  static final Map<String, Sidecar> SIDECARS = new LinkedHashMap<>();
  static KubernetesClient kube;
  static KubeAccess access;

  @BeforeAll
  static void startSidecars() {
    kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfigYaml)).build();
    access = accessFrom(kubeConfigYaml);
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
    kube.resources(EndpointSlice.class).inNamespace(NS).withLabel(SERVICE_NAME, HUB_SERVICE).delete();
    kube.close();
  }

  @Override Map<String, Sidecar> sidecars() {
    return SIDECARS;
  }

  static final String SERVICE_NAME = "kubernetes.io/service-name";
  static final String HOST_SUFFIX = ".kube-it.test";
  static final String HOSTS = java.util.stream.Stream.of("a", "b", "c", "d", "e", "f")
      .map(p -> "127.0.0.1 " + p + HOST_SUFFIX + "\n").collect(java.util.stream.Collectors.joining());

  /** Starts a pod's sidecar, then lists the pod in the hub Service's slices (as the controller would). */
  static Sidecar startPodWithSidecar(String pod, String process) {
    int peerPort = PEER_PORTS.computeIfAbsent(pod, p -> TestPorts.free());
    SidecarConfig config = SidecarConfig.builder().group(GROUP).process(process).namespace(NS).podName(pod)
        .podIp("127.0.0.1").hubToken(TOKEN).hubPort(0).peerHost("127.0.0.1").peerPort(peerPort)
        .metricsHost("127.0.0.1").metricsPort(0).appMetrics("off").kube(access).hubService(HUB_SERVICE).extraHosts(HOSTS).build();
    Sidecar sidecar = Await.of(new Sidecar(config).start());
    setEndpoint(pod, true, false);
    await().atMost(Duration.ofSeconds(20)).until(() -> http.get(sidecar.metricsPort(), "/readyz").status() == 200);
    return sidecar;
  }

  /** The pod's slice, with its conditions as the controller writes them under publishNotReadyAddresses. */
  static void setEndpoint(String pod, boolean serving, boolean terminating) {
    kube.resource(new EndpointSliceBuilder().withNewMetadata().withName(HUB_SERVICE + "-" + pod)
        .addToLabels(SERVICE_NAME, HUB_SERVICE).endMetadata()
        .withAddressType("FQDN")
        .addNewEndpoint().withAddresses(pod + HOST_SUFFIX)
          .withNewConditions().withReady(true).withServing(serving).withTerminating(terminating).endConditions()
          .withNewTargetRef().withKind("Pod").withNamespace(NS).withName(pod).endTargetRef()
        .endEndpoint()
        .addNewPort().withName("hub-peer").withPort(PEER_PORTS.get(pod)).withProtocol("TCP").endPort()
        .build()).inNamespace(NS).serverSideApply();
  }

  static void removeEndpoint(String pod) {
    kube.resources(EndpointSlice.class).inNamespace(NS).withName(HUB_SERVICE + "-" + pod).delete();
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
      removeEndpoint("d"); // what the controller does when the pod object is deleted
      Http.Resp r = pending.get(15, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.errorName()).isEqualTo("ProviderGone");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(http.invoke(hub("a"), obj, "build", "[]", Map.of()).errorName()).isEqualTo("ObjectNotFound"));
    } finally {
      Await.of(d.stop());
      removeEndpoint("d");
      awaitReadyPeers(sidecar("a"), 2);
    }
  }

  @Test
  void aTerminatingPodTakesNoNewCalls() {
    Sidecar e = startPodWithSidecar("e", "mailer");
    try {
      awaitReadyPeers(sidecar("a"), 3);
      String obj = uniqueObject("mail");
      TestApp publisher = TestApp.connect(clientVertx, e.hubPort());
      apps.add(publisher);
      publisher.publish(obj, "send");
      assertThat(http.invoke(hub("a"), obj, "send", "[]", Map.of()).status()).isEqualTo(200);
      setEndpoint("e", false, true);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Http.Resp r = http.invoke(hub("a"), obj, "send", "[]", Map.of());
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.errorName()).isEqualTo("NoReadyProvider");
      });
    } finally {
      Await.of(e.stop());
      removeEndpoint("e");
      awaitReadyPeers(sidecar("a"), 2);
    }
  }

  /**
   * The sidecar container dies and the kubelet restarts it in the same pod (same address, still listed): calls fail
   * fast and the peer leaves rotation, then a probe finds the new sidecar and its publisher's objects.
   */
  @Test
  void aRestartedSidecarAtTheSameAddressIsFoundAgainByProbing() {
    Sidecar f = startPodWithSidecar("f", "printer");
    try {
      awaitReadyPeers(sidecar("a"), 3);
      String obj = uniqueObject("print");
      TestApp first = TestApp.connect(clientVertx, f.hubPort());
      apps.add(first);
      first.publish(obj, "page");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(http.invoke(hub("a"), obj, "page", "[]", Map.of()).status()).isEqualTo(200));
      Await.of(f.stop());
      setEndpoint("f", false, false); // the pod is not Ready while its sidecar is down
      // a stopping sidecar unpublishes (404 ObjectNotFound); one that died fails on the wire (502, then 503)
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(http.invoke(hub("a"), obj, "page", "[]", Map.of()).status()).isIn(404, 502, 503));
      awaitReadyPeers(sidecar("a"), 2);
      f = startPodWithSidecar("f", "printer"); // same peer port; the slice says serving again
      TestApp second = TestApp.connect(clientVertx, f.hubPort());
      apps.add(second);
      second.publish(obj, "page");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(http.invoke(hub("a"), obj, "page", "[]", Map.of()).status()).isEqualTo(200));
    } finally {
      Await.of(f.stop());
      removeEndpoint("f");
      awaitReadyPeers(sidecar("a"), 2);
    }
  }
}
