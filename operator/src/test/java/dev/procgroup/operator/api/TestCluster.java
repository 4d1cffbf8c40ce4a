package dev.procgroup.operator.api;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.OperatorConfig;
import dev.procgroup.operator.ProcgroupOperator;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One real kube-apiserver + etcd for the whole test JVM (fabric8 kube-api-test, with the binaries built by
 * e2e/cluster/build-binaries.sh), the CRD from crds/, the operator running in this JVM, and the
 * {@link DeploymentStatusDriver} standing in for the controllers and kubelet such a cluster lacks.
 * If the binaries are missing the tests fail: the build makes them before the API tests run.
 */
public final class TestCluster {
  public static final Path CRD = Path.of("../crds/procgroups.procgroup.dev-v1.yml");
  private static TestCluster instance;

  final KubeAPIServer apiServer;
  final KubernetesClient client;
  final ProcgroupOperator operator;
  final DeploymentStatusDriver driver;
  final Path kubeconfig;

  private TestCluster() throws IOException {
    apiServer = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withOfflineMode(true) // never download: the binaries are ours
        .withUpdateKubeConfig(false)
        .withStartupTimeout(120_000)
        .build());
    apiServer.start();
    String yaml = apiServer.getKubeConfigYaml();
    kubeconfig = Files.createTempFile("procgroup-apitest", ".kubeconfig");
    Files.writeString(kubeconfig, yaml);
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
    installCrd(client);
    driver = new DeploymentStatusDriver(client);
    OperatorConfig config = new OperatorConfig(java.util.Set.of(), 0, false, null,
        OperatorConfig.SidecarConfig.defaults(), false);
    operator = new ProcgroupOperator(client.getConfiguration(), config);
    operator.start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::close));
  }

  static synchronized TestCluster get() throws IOException {
    if (instance == null) instance = new TestCluster();
    return instance;
  }

  /** Applies the CRD from crds/ and returns once the API server serves ProcessGroups. */
  public static void installCrd(KubernetesClient client) throws IOException {
    CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
        .load(Files.newInputStream(CRD)).item();
    client.resource(crd).serverSideApply();
    client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
        .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
            && c.getStatus().getConditions().stream()
                .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            30, TimeUnit.SECONDS);
    // the group's resource must be served before informers start
    client.resources(ProcessGroup.class).inAnyNamespace().list();
  }

  /** A fresh namespace per test: kube-api-test cannot delete namespaces (no namespace controller). */
  String newNamespace() {
    String ns = "t-" + UUID.randomUUID().toString().substring(0, 8);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    return ns;
  }

  private void close() {
    try {
      operator.close();
      driver.close();
    } finally {
      apiServer.stop();
    }
  }
}
