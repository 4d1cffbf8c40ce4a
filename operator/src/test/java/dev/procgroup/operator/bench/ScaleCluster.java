package dev.procgroup.operator.bench;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import dev.procgroup.operator.sequencing.ObservedProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import dev.procgroup.operator.api.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fresh control plane for one benchmark phase: kube-apiserver + etcd (kube-api-test, the project's build), the
 * real kube-controller-manager with its Deployment and ReplicaSet controllers, and the {@link KubeletStandIn}.
 * Fresh per phase so that no phase inherits another's objects (kube-api-test has no namespace controller).
 */
final class ScaleCluster implements AutoCloseable {
  /** The controller-manager's client rate: its default (20/s) and not the operator would set the pace. */
  static final List<String> CONTROLLER_MANAGER_FLAGS = List.of("--controllers=deployment,replicaset",
      "--leader-elect=false", "--secure-port=0", "--kube-api-qps=300", "--kube-api-burst=600");

  final KubeAPIServer api;
  final Path kubeconfig;
  final KubernetesClient client;
  private final Process controllerManager;
  private final KubeletStandIn kubelet;

  ScaleCluster(Path controllerManagerBinary, Path logDir) throws IOException, InterruptedException {
    api = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig().withOfflineMode(true)
        .withUpdateKubeConfig(false).withStartupTimeout(120_000)
        .withApiServerFlag("--max-requests-inflight", "800")
        .withApiServerFlag("--max-mutating-requests-inflight", "400").build());
    api.start();
    String yaml = api.getKubeConfigYaml();
    kubeconfig = Files.createTempFile("scale-bench", ".kubeconfig");
    Files.writeString(kubeconfig, yaml);
    Config config = Config.fromKubeconfig(yaml);
    config.setMaxConcurrentRequests(64);
    config.setMaxConcurrentRequestsPerHost(64);
    client = new KubernetesClientBuilder().withConfig(config).build();
    TestCluster.installCrd(client);
    List<String> cmd = new java.util.ArrayList<>(List.of(controllerManagerBinary.toString(),
        "--kubeconfig=" + kubeconfig));
    cmd.addAll(CONTROLLER_MANAGER_FLAGS);
    controllerManager = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(logDir.resolve("kube-controller-manager.log").toFile()).start();
    kubelet = new KubeletStandIn(client);
    awaitControllers();
  }

  /**
   * A canary Deployment made available before the phase starts: the controller-manager has synced its caches and
   * the stand-in answers, so neither one's start-up is counted in the first phase's time.
   */
  private void awaitControllers() {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("canary").endMetadata().build())
        .create();
    Deployment canary = new DeploymentBuilder().withNewMetadata().withName("canary").withNamespace("canary")
        .endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "canary").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "canary").endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("canary").endContainer().endSpec().endTemplate()
        .endSpec().build();
    client.resource(canary).create();
    client.apps().deployments().inNamespace("canary").withName("canary")
        .waitUntilCondition(d -> d != null && ObservedProcess.isAvailable(d), 120, TimeUnit.SECONDS);
    client.resource(canary).delete();
  }

  @Override
  public void close() throws InterruptedException {
    kubelet.close();
    controllerManager.destroy();
    if (!controllerManager.waitFor(10, TimeUnit.SECONDS)) controllerManager.destroyForcibly().waitFor();
    client.close();
    api.stop();
  }
}
