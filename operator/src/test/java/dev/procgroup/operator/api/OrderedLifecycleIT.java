package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.AutoscaleSpec;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.RestartPolicySpec;
import dev.procgroup.api.v1alpha1.ServiceSpec;
import dev.procgroup.operator.desired.Environment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The operator against a real kube-apiserver: order, updates, restarts, deletion, crash loops, status. */
class OrderedLifecycleIT extends ApiTestSupport {

  ProcessGroup shop() {
    ProcessSpec web = process("web", 1, 2);
    web.setEntry(List.of("node", "server.js"));
    web.setArgv(List.of("--max-old-space-size=256"));
    web.setArgs(List.of("--port", "5511"));
    web.setEnv(List.of(Environment.value("LOG", "debug")));
    ProcessGroup pg = group("shop", process("agent", 0, 1), web, process("background", 1, 1));
    pg.getSpec().setEnv(List.of(Environment.value("NODE_ENV", "production"), Environment.value("LOG", "info")));
    pg.getSpec().setServices(List.of(new ServiceSpec("pageSnapshot", "background")));
    return pg;
  }

  @Test
  void higherOrdersStartOnlyWhenLowerOrdersAreReadyAndEqualOrdersStartTogether() {
    hold(ns + "-never"); // no-op marker to show hold() is namespaced
    hold("shop-agent");
    create(shop());
    awaitDeployment("shop-agent", d -> true);
    ProcessGroupStatus waiting = awaitStatus("shop", s -> "Progressing".equals(s.getPhase()));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
        .until(() -> deployment("shop-web") == null && deployment("shop-background") == null);
    assertThat(condition(waiting, "Progressing").getStatus()).isEqualTo("True");
    assertThat(condition(waiting, "Progressing").getMessage()).contains("order 0 (agent) is not ready yet")
        .contains("waiting: web, background");
    assertThat(waiting.getProcesses()).extracting("name", "phase").contains(
        org.assertj.core.groups.Tuple.tuple("web", "Waiting"),
        org.assertj.core.groups.Tuple.tuple("background", "Waiting"));

    release("shop-agent");
    awaitDeployment("shop-web", d -> true);
    awaitDeployment("shop-background", d -> true);
    Instant agentReady = cluster.driver.markedReadyAt.get(ns + "/shop-agent@1");
    Instant webCreated = cluster.driver.createdSeenAt.get(ns + "/shop-web");
    Instant backgroundCreated = cluster.driver.createdSeenAt.get(ns + "/shop-background");
    Duration gap = Duration.between(agentReady, webCreated);
    System.out.printf("[measure] order 0 Ready -> order 1 created: %d ms%n", gap.toMillis());
    assertThat(gap).isPositive().isLessThan(Duration.ofSeconds(1));
    assertThat(Duration.between(webCreated, backgroundCreated).abs()).as("equal orders start together")
        .isLessThan(Duration.ofMillis(500));

    ProcessGroupStatus running = awaitPhase("shop", "Running");
    assertThat(running.getReady()).isEqualTo("4/4");
    assertThat(running.getProcessesReady()).isEqualTo("3/3");
    assertThat(running.getObservedGeneration()).isEqualTo(1L);
    assertThat(condition(running, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(running, "Ready").getObservedGeneration()).isEqualTo(1L);
    assertThat(condition(running, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(running, "Degraded").getStatus()).isEqualTo("False");
    assertThat(running.getProcesses()).extracting("name", "order", "desired", "ready", "restarts", "phase")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("agent", 0, 1, 1, 0, "Running"),
            org.assertj.core.groups.Tuple.tuple("web", 1, 2, 2, 0, "Running"),
            org.assertj.core.groups.Tuple.tuple("background", 1, 1, 1, 0, "Running"));
    assertThat(eventReasons()).contains("StartingOrder", "ProcessReady", "Running");
  }

  @Test
  void envArgvAndArgsReachThePodSpec() {
    create(shop());
    Deployment web = awaitDeployment("shop-web", d -> true);
    Container app = web.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(app.getCommand()).containsExactly("node", "--max-old-space-size=256", "server.js");
    assertThat(app.getArgs()).containsExactly("--port", "5511");
    Map<String, String> env = app.getEnv().stream().filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env).containsEntry("NODE_ENV", "production").containsEntry("LOG", "debug")
        .containsEntry("PROCGROUP_PROCESS", "web").containsEntry("PROCGROUP_HUB_URL", "http://127.0.0.1:7070");
    Container hub = web.getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(hub.getRestartPolicy()).isEqualTo("Always");
    Deployment background = awaitDeployment("shop-background", d -> true);
    assertThat(background.getSpec().getTemplate().getSpec().getInitContainers().get(0).getEnv())
        .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("PROCGROUP_SERVICES=pageSnapshot"));
  }

  @Test
  void hubAccessIsCreatedWithListAndWatchOfEndpointSlicesOnly() {
    create(shop());
    awaitPhase("shop", "Running");
    assertThat(client.serviceAccounts().inNamespace(ns).withName("shop-hub").get()).isNotNull();
    Role role = client.rbac().roles().inNamespace(ns).withName("shop-hub").get();
    assertThat(role.getRules()).singleElement().satisfies(r -> {
      assertThat(r.getApiGroups()).containsExactly("discovery.k8s.io");
      assertThat(r.getResources()).containsExactly("endpointslices");
      assertThat(r.getVerbs()).containsExactly("list", "watch");
    });
    // the discovery Service: headless, every pod of the group, ready or not
    io.fabric8.kubernetes.api.model.Service hub = client.services().inNamespace(ns).withName("shop-hub").get();
    assertThat(hub.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(hub.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(hub.getSpec().getSelector()).containsOnly(Map.entry("procgroup.dev/group", "shop"),
        Map.entry("app.kubernetes.io/managed-by", "procgroup-operator"));
    assertThat(hub.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("shop"));
    assertThat(client.rbac().roleBindings().inNamespace(ns).withName("shop-hub").get().getSubjects())
        .singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("shop-hub"));
    String token = client.secrets().inNamespace(ns).withName("shop-hub").get().getData().get("token");
    assertThat(token).isNotBlank();
  }

  @Test
  void scaleChangeIsAppliedAndReported() {
    ProcessGroup pg = create(shop());
    awaitPhase("shop", "Running");
    pg = get("shop");
    pg.getSpec().getProcesses().get(1).setScale(4);
    updateGroup(pg);
    awaitDeployment("shop-web", d -> d.getSpec().getReplicas() == 4);
    // a scale-up keeps the group Running (operator/README.md, Semantics): the new pods show in READY when Ready
    ProcessGroupStatus s = awaitStatus("shop", st -> st.getObservedGeneration() == 2L && "Running".equals(st.getPhase())
        && "6/6".equals(st.getReady()));
    assertThat(s.getProcesses().stream().filter(p -> p.getName().equals("web")).findFirst().orElseThrow().getDesired())
        .isEqualTo(4);
    assertThat(client.pods().inNamespace(ns).withLabel("procgroup.dev/process", "web").list().getItems()).hasSize(4);
  }

  @Test
  void changingOrdersReSequencesTheRollout() {
    ProcessGroup pg = create(group("swap", process("first", 0, 1), process("second", 1, 1)));
    awaitPhase("swap", "Running");
    hold("swap-second"); // its next rollout will not finish until released
    pg = get("swap");
    pg.getSpec().getProcesses().get(0).setOrder(1);
    pg.getSpec().getProcesses().get(1).setOrder(0);
    pg.getSpec().setEnv(List.of(Environment.value("VERSION", "2"))); // a rollout for both
    updateGroup(pg);
    awaitDeployment("swap-second", d -> "0".equals(d.getMetadata().getLabels().get("procgroup.dev/order")));
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .until(() -> "0".equals(deployment("swap-first").getMetadata().getLabels().get("procgroup.dev/order")));
    assertThat(awaitStatus("swap", s -> s.getObservedGeneration() == 2L).getProcesses())
        .extracting("name", "order").containsExactly(
            org.assertj.core.groups.Tuple.tuple("second", 0), org.assertj.core.groups.Tuple.tuple("first", 1));
    release("swap-second");
    awaitDeployment("swap-first", d -> "1".equals(d.getMetadata().getLabels().get("procgroup.dev/order")));
    awaitPhase("swap", "Running");
  }

  @Test
  void restartAnnotationRestartsOrderByOrder() {
    create(group("rs", process("db", 0, 1), process("api", 1, 2)));
    awaitPhase("rs", "Running");
    hold("rs-db");
    String stamp = Instant.now().toString();
    ProcessGroup pg = get("rs");
    pg.getMetadata().setAnnotations(Map.of("procgroup.dev/restartedAt", stamp));
    updateGroup(pg);
    awaitDeployment("rs-db", d -> stamp.equals(podAnnotation(d, "procgroup.dev/restartedAt")));
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .until(() -> podAnnotation(deployment("rs-api"), "procgroup.dev/restartedAt") == null);
    release("rs-db");
    awaitDeployment("rs-api", d -> stamp.equals(podAnnotation(d, "procgroup.dev/restartedAt")));
    awaitStatus("rs", s -> "Running".equals(s.getPhase()));
    assertThat(eventReasons()).contains("UpdatingOrder");
  }

  @Test
  void deletionStopsTheHighestOrderFirstAndWaitsForItsPods() {
    create(group("del", process("a", 0, 1), process("b", 1, 1), process("c", 1, 2), process("d", 2, 1)));
    awaitPhase("del", "Running");
    client.resources(ProcessGroup.class).inNamespace(ns).withName("del").delete();
    await().atMost(Duration.ofSeconds(40)).until(() -> get("del") == null);
    Map<String, Instant> deleted = cluster.driver.deletedSeenAt;
    Map<String, Instant> podsGone = cluster.driver.podsGoneAt;
    Instant a = deleted.get(ns + "/del-a"), b = deleted.get(ns + "/del-b"), c = deleted.get(ns + "/del-c"),
        d = deleted.get(ns + "/del-d");
    assertThat(List.of(a, b, c, d)).doesNotContainNull();
    assertThat(d).isBefore(b).isBefore(c);
    assertThat(b).isBefore(a);
    assertThat(c).isBefore(a);
    assertThat(b).as("order 1 stops after order 2's pods are gone").isAfterOrEqualTo(podsGone.get(ns + "/del-d"));
    assertThat(a).as("order 0 stops after order 1's pods are gone")
        .isAfterOrEqualTo(podsGone.get(ns + "/del-b")).isAfterOrEqualTo(podsGone.get(ns + "/del-c"));
    assertThat(eventReasons()).contains("StoppingOrder", "Stopped");
  }

  @Test
  void crashLoopTurnsTheGroupDegradedNamingTheProcessAndItsLastTermination() {
    ProcessGroup spec = group("crashy", process("agent", 0, 1), process("web", 1, 1));
    spec.getSpec().setRestart(new RestartPolicySpec(2, "10m"));
    create(spec);
    awaitPhase("crashy", "Running");
    Pod pod = client.pods().inNamespace(ns).withLabel("procgroup.dev/process", "web").list().getItems().get(0);
    pod.getStatus().getConditions().get(0).setStatus("False");
    pod.getStatus().getContainerStatuses().get(0).setReady(false);
    pod.getStatus().getContainerStatuses().get(0).setRestartCount(3);
    pod.getStatus().getContainerStatuses().get(0).setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
        .withNewTerminated().withExitCode(1).withReason("Error").withMessage("Error: connect ECONNREFUSED 10.0.0.1:5432")
        .withFinishedAt(Instant.now().toString()).endTerminated().build());
    client.pods().inNamespace(ns).resource(pod).updateStatus();
    ProcessGroupStatus s = awaitStatus("crashy", st -> "Degraded".equals(st.getPhase()));
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Degraded").getReason()).isEqualTo("CrashLoop");
    assertThat(condition(s, "Degraded").getMessage())
        .contains("process web restarted more than 2 times within 10m in pod " + pod.getMetadata().getName())
        .contains("Error (exit code 1): Error: connect ECONNREFUSED 10.0.0.1:5432");
    assertThat(s.getProcesses().get(1).getPhase()).isEqualTo("CrashLoop");
    assertThat(s.getProcesses().get(1).getRestarts()).isEqualTo(3);
    assertThat(s.getMessage()).contains("process web");
    await().atMost(Duration.ofSeconds(10)).until(() -> eventReasons().contains("CrashLoop"));
  }

  @Test
  void autoscaledProcessGetsAnAutoscalerAndRemovedProcessesAreStopped() {
    ProcessSpec web = process("web", 1, 1);
    web.setScale(null);
    web.setAutoscale(new AutoscaleSpec(2, 5));
    web.setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m")).build());
    create(group("auto", process("agent", 0, 1), web, process("extra", 1, 1)));
    awaitDeployment("auto-web", d -> true);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("auto-web").get() != null);
    var hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("auto-web").get();
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
    awaitPhase("auto", "Running");
    ProcessGroup pg = get("auto");
    pg.getSpec().getProcesses().removeIf(p -> p.getName().equals("extra"));
    updateGroup(pg);
    await().atMost(Duration.ofSeconds(10)).until(() -> deployment("auto-extra") == null);
    assertThat(awaitPhase("auto", "Running").getProcesses()).extracting("name").containsExactly("agent", "web");

    pg = get("auto");
    pg.getSpec().getProcesses().get(1).setAutoscale(null);
    pg.getSpec().getProcesses().get(1).setScale(3);
    updateGroup(pg);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("auto-web").get() == null);
    awaitDeployment("auto-web", d -> d.getSpec().getReplicas() == 3
        && !d.getMetadata().getLabels().containsKey("procgroup.dev/autoscaled"));
  }

  private List<String> eventReasons() {
    return client.v1().events().inNamespace(ns).list().getItems().stream().map(Event::getReason).toList();
  }
}
