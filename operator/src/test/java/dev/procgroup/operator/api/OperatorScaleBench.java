package dev.procgroup.operator.api;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.Specs;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (bench/operator/run.sh): N groups of 3 processes (orders 0, 1, 1) against a real kube-apiserver.
 * Converged = every Deployment created and every group's status Running. The operator runs as its own JVM
 * (the same jar and flags as the image: SerialGC, MaxRAMPercentage) so its RSS can be read from /proc.
 * Baseline in the same run: this client applying the same Deployments itself, with no operator, i.e. what the
 * apiserver alone costs. The {@link DeploymentStatusDriver} marks Deployments available (no kubelet here).
 */
public final class OperatorScaleBench {
  /** The operator image's JVM flags (operator/pom.xml, Jib), with -Xmx for the share of memory it gets in a pod. */
  static final String JVM_FLAGS = System.getenv().getOrDefault("OPERATOR_JAVA_OPTS",
      "-XX:+UseSerialGC -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -Xss512k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m");

  public static void main(String[] args) throws Exception {
    int groups = Integer.parseInt(args.length > 0 ? args[0] : "1000");
    Path out = Path.of(args.length > 1 ? args[1] : "../bench/results");
    String operatorClasspath = System.getProperty("operator.classpath");
    KubeAPIServer api = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig().withOfflineMode(true)
        .withUpdateKubeConfig(false).withStartupTimeout(120_000)
        .withApiServerFlag("--max-requests-inflight", "800")
        .withApiServerFlag("--max-mutating-requests-inflight", "400").build());
    api.start();
    Process operator = null;
    try {
      String yaml = api.getKubeConfigYaml();
      Path kubeconfig = Files.createTempFile("bench", ".kubeconfig");
      Files.writeString(kubeconfig, yaml);
      Config config = Config.fromKubeconfig(yaml);
      config.setMaxConcurrentRequests(64);
      config.setMaxConcurrentRequestsPerHost(64);
      KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
      CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
          .load(Files.newInputStream(TestCluster.CRD)).item();
      client.resource(crd).serverSideApply();
      Thread.sleep(2000);

      // Baseline: the same number of Deployments applied directly.
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("baseline").endMetadata().build())
          .create();
      Instant b0 = Instant.now();
      parallel(groups, i -> {
        ProcessGroup pg = group("baseline", i);
        pg.getMetadata().setUid("uid-" + i);
        for (var p : pg.getSpec().getProcesses()) {
          Deployment d = dev.procgroup.operator.desired.DesiredDeployment.of(pg, p,
              dev.procgroup.operator.OperatorConfig.SidecarConfig.defaults());
          d.getMetadata().setOwnerReferences(null);
          client.resource(d).fieldManager("bench").serverSideApply();
        }
      });
      Duration baseline = Duration.between(b0, Instant.now());
      client.apps().deployments().inNamespace("baseline").delete();

      DeploymentStatusDriver driver = new DeploymentStatusDriver(client, false);
      driver.readyDelayMs = 0;
      List<String> cmd = new ArrayList<>(List.of("java"));
      cmd.addAll(List.of(JVM_FLAGS.split(" ")));
      cmd.addAll(List.of("-cp", operatorClasspath, "dev.procgroup.operator.ProcgroupOperator"));
      ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      pb.environment().put("PROCGROUP_HTTP_PORT", "0");
      pb.environment().put("PROCGROUP_LOG_LEVEL", "WARN");
      operator = pb.start();
      Thread.sleep(3000);
      long idleRss = rssKiB(operator.pid());

      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build())
          .create();
      Instant t0 = Instant.now();
      parallel(groups, i -> client.resource(group("bench", i)).create());
      Duration created = Duration.between(t0, Instant.now());
      long peakRss = idleRss;
      int running = 0;
      while (Duration.between(t0, Instant.now()).toSeconds() < 600) {
        peakRss = Math.max(peakRss, rssKiB(operator.pid()));
        running = (int) client.resources(ProcessGroup.class).inNamespace("bench").list().getItems().stream()
            .filter(g -> g.getStatus() != null && "Running".equals(g.getStatus().getPhase())).count();
        if (running == groups) break;
        Thread.sleep(500);
      }
      Duration converged = Duration.between(t0, Instant.now());
      int deployments = client.apps().deployments().inNamespace("bench").list().getItems().size();
      peakRss = Math.max(peakRss, rssKiB(operator.pid()));
      driver.close();

      String report = String.format(Locale.ROOT, """
          # Operator convergence benchmark (%s)

          Command: `bench/operator/run.sh %d`. One real kube-apiserver + etcd (kube-api-test, the project's own
          Kubernetes %s build), the operator as its own JVM (`%s`), %d groups x 3 processes
          (orders 0, 1, 1: every group waits for its order 0 to be Ready before starting order 1). A test driver
          marks Deployments available at once (no kubelet in this tier).

          | figure | value | target |
          | --- | --- | --- |
          | groups created by the client | %d in %.1f s | |
          | converged (all %d Deployments created, every status Running) | %.1f s | <= 60 s |
          | groups Running at the end | %d / %d | all |
          | Deployments | %d | %d |
          | operator RSS idle (before the groups) | %d MiB | |
          | operator RSS peak while converging | %d MiB | <= 256 MiB |
          | baseline: the client applying the same %d Deployments itself, no operator | %.1f s | |
          """, LocalDate.now(), groups, System.getProperty("k8s.version", "1.33"), JVM_FLAGS, groups, groups,
          created.toMillis() / 1000.0, groups * 3, converged.toMillis() / 1000.0, running, groups, deployments,
          groups * 3, idleRss / 1024, peakRss / 1024, groups * 3, baseline.toMillis() / 1000.0);
      Files.createDirectories(out);
      Path file = out.resolve("operator-" + LocalDate.now() + ".md");
      Files.writeString(file, report);
      System.out.println(report);
      System.out.println("written to " + file);
    } finally {
      if (operator != null) operator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      api.stop();
    }
  }

  static ProcessGroup group(String ns, int i) {
    ProcessGroup pg = Specs.group(String.format("g%04d", i), Specs.process("agent", 0, 1), Specs.process("web", 1, 2),
        Specs.process("worker", 1, 1));
    pg.getMetadata().setNamespace(ns);
    pg.getMetadata().setUid(null);
    pg.getMetadata().setGeneration(null);
    return pg;
  }

  interface Task { void run(int i) throws Exception; }

  static void parallel(int n, Task task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      fs.add(pool.submit(() -> { task.run(k); return null; }));
    }
    for (Future<?> f : fs) f.get();
    pool.shutdown();
  }

  static long rssKiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
    }
    return 0;
  }
}
