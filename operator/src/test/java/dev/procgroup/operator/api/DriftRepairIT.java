package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.port;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.AutoscaleSpec;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.DeploymentDrift;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Level-triggered children on a real API server: every object a group owns is repaired when it is deleted or
 * edited by hand, from the informer caches, and a converged group costs no API write (counted by the operator's
 * own {@code procgroup_operator_api_requests_total}).
 */
class DriftRepairIT extends ApiTestSupport {
  /** The observation window; bench/operator/converged-writes.sh sets 5 minutes. */
  static final Duration QUIET = Duration.parse(System.getProperty("converged.window", "PT10S"));
  static final Pattern WRITE = Pattern.compile(
      "procgroup_operator_api_requests_total\\{namespace=\"([^\"]*)\",resource=\"([^\"]*)\",verb=\"(create|update|patch|delete)\"} ([0-9.E]+)");
  final HttpClient http = HttpClient.newHttpClient();

  ProcessGroup drifting() {
    ProcessSpec agent = process("agent", 0, 1);
    ProcessSpec web = process("web", 1, 2);
    web.setPorts(List.of(port("http", 8080)));
    ProcessSpec worker = process("worker", 1, 1);
    AutoscaleSpec a = new AutoscaleSpec();
    a.setMin(1);
    a.setMax(3);
    worker.setAutoscale(a);
    worker.setScale(null);
    worker.setResources(cpu());
    return group("d", agent, web, worker);
  }

  /** Writes the operator sent for this test's namespace so far, summed over resources and verbs. */
  double writes() throws Exception {
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.operator.httpPort()
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    Matcher m = WRITE.matcher(metrics);
    while (m.find()) if (m.group(1).equals(ns)) sum += Double.parseDouble(m.group(4));
    return sum;
  }

  void assertQuiet(String when) throws Exception {
    double before = writes();
    Thread.sleep(QUIET.toMillis()); // the observation window itself, not a wait for some state
    double written = writes() - before;
    System.out.printf("[measure] API writes for a converged group (3 processes, hub Service and RBAC, HPA, Service, NetworkPolicy) over %ss %s: %.0f%n",
        QUIET.toSeconds(), when, written);
    assertThat(written).as("API writes for a converged group over %ss %s", QUIET.toSeconds(), when)
        .isZero();
  }

  @Test
  void deletedAndEditedChildrenAreRepairedAndAConvergedGroupWritesNothing() throws Exception {
    create(drifting());
    awaitPhase("d", "Running");
    await().atMost(Duration.ofSeconds(30)).until(() -> hpa() != null && serviceAccount() != null);
    assertQuiet("after start-up");

    List<Supplier<HasMetadata>> children = List.of(this::serviceAccount, this::role, this::roleBinding, this::hpa,
        () -> client.services().inNamespace(ns).withName("d-web").get(),
        () -> client.services().inNamespace(ns).withName("d-hub").get(),
        () -> client.network().v1().networkPolicies().inNamespace(ns).withName("d-hub").get());
    for (Supplier<HasMetadata> child : children) {
      HasMetadata before = child.get();
      assertThat(before).isNotNull();
      client.resource(before).withGracePeriod(0).delete();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        HasMetadata now = child.get();
        assertThat(now).as("%s %s recreated", before.getKind(), before.getMetadata().getName()).isNotNull();
        assertThat(now.getMetadata().getUid()).isNotEqualTo(before.getMetadata().getUid());
      });
    }

    // the hub Secret: the operator may not read Secrets, so a deleted one is recreated when it matters, when a pod
    // of the group is not ready (a new pod could not mount it)
    var secret = client.secrets().inNamespace(ns).withName("d-hub");
    String uid = secret.get().getMetadata().getUid();
    secret.delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> secret.get() == null);
    io.fabric8.kubernetes.api.model.Pod pod = client.pods().inNamespace(ns).withLabel(
        dev.procgroup.operator.desired.Labels.PROCESS, "web").list().getItems().get(0);
    pod.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).forEach(c -> c.setStatus("False"));
    client.pods().inNamespace(ns).resource(pod).updateStatus();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(secret.get()).as("hub Secret recreated").isNotNull();
      assertThat(secret.get().getMetadata().getUid()).isNotEqualTo(uid);
    });
    pod = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
    pod.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).forEach(c -> c.setStatus("True"));
    client.pods().inNamespace(ns).resource(pod).updateStatus();

    client.rbac().roles().inNamespace(ns).withName("d-hub").edit(r -> {
      r.getRules().get(0).setVerbs(List.of("get", "list", "watch", "delete"));
      return r;
    });
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(role().getRules().get(0).getVerbs()).containsExactly("list", "watch"));

    // a hand edit adds an env var, changes the image and restarts the pods the kubectl way
    client.apps().deployments().inNamespace(ns).withName("d-web").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
        "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"2026-12-02T00:00:00Z\"}},"
            + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"busybox:hand-edited\","
            + "\"env\":[{\"name\":\"HAND_EDIT\",\"value\":\"1\"}]}]}}}}");
    Deployment repaired = awaitDeployment("d-web", d -> app(d).getEnv().stream().noneMatch(e -> e.getName().equals("HAND_EDIT"))
        && !app(d).getImage().equals("busybox:hand-edited"));
    assertThat(app(repaired).getImage()).isEqualTo(ProcessGroup.class.cast(get("d")).getSpec().getImage());
    assertThat(podAnnotation(repaired, "kubectl.kubernetes.io/restartedAt")).as("a kubectl restart is kept")
        .isEqualTo("2026-12-02T00:00:00Z");
    // the hand edit's manager owns nothing any more; what the patch restored is the operator's own (an Update entry)
    assertThat(DeploymentDrift.foreignSpecFields(repaired)).as("who owns fields of the template besides our apply")
        .containsExactly("procgroup-operator: spec.template.spec.containers.k:{\"name\":\"web\"}.image");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace(ns).list().getItems()
        .stream().anyMatch(e -> "DeploymentRepaired".equals(e.getReason()) && e.getMessage().contains("HAND_EDIT")));
    awaitPhase("d", "Running");
    assertQuiet("after the repairs");
  }

  @Test
  void switchingBetweenScaleAndAutoscaleKeepsTheReplicasItHas() {
    ProcessSpec web = process("web", 0, 3);
    create(group("sw", web));
    awaitPhase("sw", "Running");
    List<Integer> seen = new CopyOnWriteArrayList<>();
    SharedIndexInformer<Deployment> watch = client.apps().deployments().inNamespace(ns).withName("sw-web")
        .inform(new ResourceEventHandler<>() {
          public void onAdd(Deployment d) { seen.add(d.getSpec().getReplicas()); }
          public void onUpdate(Deployment o, Deployment d) { seen.add(d.getSpec().getReplicas()); }
          public void onDelete(Deployment d, boolean unknown) { }
        });
    try {
      ProcessGroup pg = get("sw");
      AutoscaleSpec a = new AutoscaleSpec();
      a.setMin(1);
      a.setMax(5);
      pg.getSpec().getProcesses().get(0).setAutoscale(a);
      pg.getSpec().getProcesses().get(0).setScale(null);
      pg.getSpec().getProcesses().get(0).setResources(cpu());
      updateGroup(pg);
      await().atMost(Duration.ofSeconds(20)).until(() -> client.autoscaling().v2().horizontalPodAutoscalers()
          .inNamespace(ns).withName("sw-web").get() != null);
      awaitPhase("sw", "Running");
      assertThat(deployment("sw-web").getSpec().getReplicas()).isEqualTo(3);
      assertThat(seen).as("replicas seen while switching to autoscale").containsOnly(3);

      pg = get("sw");
      pg.getSpec().getProcesses().get(0).setAutoscale(null);
      pg.getSpec().getProcesses().get(0).setScale(2);
      updateGroup(pg);
      awaitDeployment("sw-web", d -> d.getSpec().getReplicas() == 2);
      await().atMost(Duration.ofSeconds(20)).until(() -> client.autoscaling().v2().horizontalPodAutoscalers()
          .inNamespace(ns).withName("sw-web").get() == null);
      assertThat(Set.copyOf(seen)).as("replicas seen over both switches").containsExactlyInAnyOrder(3, 2);
    } finally {
      watch.close();
    }
  }

  static io.fabric8.kubernetes.api.model.ResourceRequirements cpu() {
    return new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m")).build();
  }

  /** The app container, named after its process. */
  static io.fabric8.kubernetes.api.model.Container app(Deployment d) {
    String process = d.getMetadata().getLabels().get(dev.procgroup.operator.desired.Labels.PROCESS);
    return d.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals(process))
        .findFirst().orElseThrow();
  }

  HasMetadata serviceAccount() { return client.serviceAccounts().inNamespace(ns).withName("d-hub").get(); }
  io.fabric8.kubernetes.api.model.rbac.Role role() { return client.rbac().roles().inNamespace(ns).withName("d-hub").get(); }
  HasMetadata roleBinding() { return client.rbac().roleBindings().inNamespace(ns).withName("d-hub").get(); }
  HasMetadata hpa() {
    return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("d-worker").get();
  }
}
