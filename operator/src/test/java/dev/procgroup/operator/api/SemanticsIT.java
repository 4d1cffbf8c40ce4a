package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.AutoscaleSpec;
import dev.procgroup.api.v1alpha1.PodRestarts;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.api.v1alpha1.RestartPolicySpec;
import dev.procgroup.operator.desired.Environment;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * operator/README.md, "Semantics", on a real API server: a lower order losing its replicas, a scale-up, scale 0 and
 * crash loops per pod, through the whole loop (informers, plan, apply, status). The Deployment controller's and the
 * kubelet's part is written by the test or the {@link DeploymentStatusDriver} as those would write it.
 */
class SemanticsIT extends ApiTestSupport {

  @Test
  void aLowerOrderThatLosesItsReplicasDegradesTheGroupKeepsHigherOrdersRunningAndHoldsTheirChanges() {
    create(group("lo", process("agent", 0, 1), process("web", 1, 1)));
    awaitPhase("lo", "Running");
    Deployment webBefore = deployment("lo-web");

    // agent's only pod is evicted; its replacement is not Ready yet (what the controllers then write)
    Pod agentPod = podsOf("agent").get(0);
    client.pods().inNamespace(ns).resource(agentPod).delete();
    writeDeploymentStatus("lo-agent", s -> s.withReadyReplicas(0).withAvailableReplicas(0));

    ProcessGroupStatus lost = awaitStatus("lo", s -> "Degraded".equals(s.getPhase()));
    assertThat(condition(lost, "Degraded")).extracting("status", "reason", "message").containsExactly("True",
        "Unavailable", "process agent (order 0) is unavailable: 0 of 1 replicas available");
    assertThat(condition(lost, "Ready")).extracting("status", "reason").containsExactly("False", "ProcessUnavailable");
    assertThat(condition(lost, "Ready").getMessage()).contains("process agent (order 0) is unavailable");
    assertThat(condition(lost, "Progressing")).as("nothing rolls out: not RollingOutInOrder")
        .extracting("status", "reason").containsExactly("False", "RolloutComplete");
    assertThat(lost.getProcesses()).extracting("name", "phase").containsExactly(
        org.assertj.core.groups.Tuple.tuple("agent", "Unavailable"),
        org.assertj.core.groups.Tuple.tuple("web", "Running"));
    assertThat(deployment("lo-web").getMetadata()).as("web keeps running untouched")
        .satisfies(m -> {
          assertThat(m.getUid()).isEqualTo(webBefore.getMetadata().getUid());
          assertThat(m.getGeneration()).isEqualTo(webBefore.getMetadata().getGeneration());
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> events().stream().anyMatch(e -> "Warning".equals(e.getType())
        && "Unavailable".equals(e.getReason()) && e.getMessage().startsWith("process agent: 0 of 1")));

    // a change of web waits for agent
    editSpec("lo", pg -> pg.getSpec().getProcesses().get(1).setEnv(List.of(Environment.value("VERSION", "2"))));
    ProcessGroupStatus held = awaitStatus("lo", s -> s.getObservedGeneration() == 2L);
    assertThat(held.getProcesses().get(1).getPhase()).isEqualTo("Waiting");
    assertThat(condition(held, "Progressing")).extracting("status", "reason", "message").containsExactly("True",
        "WaitingForUnavailableOrder", "order 0 (agent) is unavailable; waiting: web");
    assertThat(held.getPhase()).isEqualTo("Degraded");
    assertThat(deployment("lo-web").getMetadata().getGeneration()).as("the reconcile that wrote this held it")
        .isEqualTo(webBefore.getMetadata().getGeneration());

    // agent is back: web's change goes ahead
    writeDeploymentStatus("lo-agent", s -> s.withReadyReplicas(1).withAvailableReplicas(1));
    awaitDeployment("lo-web", d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .anyMatch(e -> "VERSION".equals(e.getName())));
    ProcessGroupStatus back = awaitPhase("lo", "Running");
    assertThat(condition(back, "Degraded").getStatus()).isEqualTo("False");
    await().atMost(Duration.ofSeconds(10)).until(() -> events().stream().anyMatch(e ->
        "ProcessRecovered".equals(e.getReason()) && e.getMessage().equals("process agent recovered from Unavailable")));
  }

  @Test
  void anAutoscalerScalingALowerOrderUpNeverMakesTheGroupUnready() throws Exception {
    ProcessSpec agent = process("agent", 0, 1);
    agent.setScale(null);
    agent.setAutoscale(new AutoscaleSpec(1, 5));
    agent.setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("100m")).build());
    create(group("hs", agent, process("web", 1, 1)));
    awaitPhase("hs", "Running");
    cluster.driver.availableAtMost(ns, "hs-agent", 1); // the new pods will not be Ready yet

    List<ProcessGroupStatus> written = new CopyOnWriteArrayList<>();
    try (Watch watch = client.resources(ProcessGroup.class).inNamespace(ns).withName("hs").watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, ProcessGroup pg) {
        if (pg.getStatus() != null) written.add(pg.getStatus());
      }

      @Override
      public void onClose(WatcherException cause) {}
    })) {
      // what the HorizontalPodAutoscaler does: the scale subresource (a new generation, seen by the controller later)
      client.apps().deployments().inNamespace(ns).withName("hs-agent").scale(3);
      awaitDeployment("hs-agent", d -> d.getStatus().getObservedGeneration().equals(d.getMetadata().getGeneration())
          && d.getStatus().getReplicas() == 3 && d.getStatus().getAvailableReplicas() == 1);
      ProcessGroupStatus scaled = awaitStatus("hs", s -> processIn(s, "agent").getDesired() == 3);
      assertThat(scaled.getReady()).isEqualTo("2/4");
      assertThat(scaled.getPhase()).isEqualTo("Running");
      cluster.driver.availableAtMost(ns, "hs-agent", null);
      awaitStatus("hs", s -> "4/4".equals(s.getReady()));
    }
    assertThat(written).as("every status written meanwhile").isNotEmpty().allSatisfy(s -> {
      assertThat(s.getPhase()).isEqualTo("Running");
      assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
      assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
    });
    assertThat(written).extracting(ProcessGroupStatus::getReady).contains("2/4", "4/4");
  }

  @Test
  void aScaleUpOfALowerOrderDoesNotHoldAChangeOfAHigherOrder() {
    create(group("su", process("agent", 0, 1), process("web", 1, 1)));
    awaitPhase("su", "Running");
    cluster.driver.availableAtMost(ns, "su-agent", 1);
    editSpec("su", pg -> {
      pg.getSpec().getProcesses().get(0).setScale(3);
      pg.getSpec().getProcesses().get(1).setEnv(List.of(Environment.value("VERSION", "2")));
    });
    awaitDeployment("su-web", d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .anyMatch(e -> "VERSION".equals(e.getName())));
    Deployment agent = deployment("su-agent");
    assertThat(agent.getStatus().getAvailableReplicas()).as("web's change went ahead with agent at 1 of 3").isEqualTo(1);
    assertThat(agent.getSpec().getReplicas()).isEqualTo(3);
    ProcessGroupStatus s = awaitStatus("su", st -> st.getObservedGeneration() == 2L && "Running".equals(st.getPhase()));
    assertThat(s.getReady()).isEqualTo("2/4");
    cluster.driver.availableAtMost(ns, "su-agent", null);
    awaitStatus("su", st -> "4/4".equals(st.getReady()));
  }

  @Test
  void scaleZeroIsStoppedNotCountedAndHoldsNothing() {
    create(group("z", process("agent", 0, 0), process("web", 1, 1)));
    ProcessGroupStatus s = awaitPhase("z", "Running");
    assertThat(s.getProcesses()).extracting("name", "phase", "desired").containsExactly(
        org.assertj.core.groups.Tuple.tuple("agent", "Stopped", 0),
        org.assertj.core.groups.Tuple.tuple("web", "Running", 1));
    assertThat(s.getReady()).isEqualTo("1/1");
    assertThat(s.getProcessesReady()).isEqualTo("1/1");
    assertThat(condition(s, "Ready").getMessage()).isEqualTo("1/1 processes ready, 1 stopped (scale 0)");
    Instant webCreated = cluster.driver.createdSeenAt.get(ns + "/z-web");
    Instant agentSeen = cluster.driver.markedReadyAt.get(ns + "/z-agent@1");
    assertThat(webCreated).as("web did not wait for agent's Deployment to report").isBefore(agentSeen);

    editSpec("z", pg -> pg.getSpec().getProcesses().get(0).setScale(1));
    s = awaitStatus("z", st -> st.getObservedGeneration() == 2L && "Running".equals(st.getPhase()));
    assertThat(s.getProcessesReady()).isEqualTo("2/2");
    assertThat(s.getReady()).isEqualTo("2/2");

    editSpec("z", pg -> pg.getSpec().getProcesses().get(0).setScale(0));
    s = awaitStatus("z", st -> st.getObservedGeneration() == 3L && "Stopped".equals(processIn(st, "agent").getPhase()));
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(podsOf("agent")).isEmpty();
    assertThat(deployment("z-agent").getSpec().getReplicas()).as("the Deployment stays, at zero").isZero();
  }

  @Test
  void aCrashLoopIsJudgedPerPodWithItsBookkeepingKeptInTheStatus() {
    ProcessGroup spec = group("cl", process("web", 0, 2));
    spec.getSpec().setRestart(new RestartPolicySpec(2, "10m"));
    create(spec);
    awaitPhase("cl", "Running");
    List<Pod> pods = podsOf("web");
    assertThat(pods).hasSize(2);
    String a = pods.get(0).getMetadata().getName(), b = pods.get(1).getMetadata().getName();

    // two restarts in each pod, back up after each: four over the process, but no pod above the limit of two
    restart(a, 2, true);
    restart(b, 2, true);
    ProcessGroupStatus counted = awaitStatus("cl", st -> podRestarts(st).size() == 2
        && podRestarts(st).stream().allMatch(p -> p.getRestarts() == 2));
    assertThat(counted.getPhase()).isEqualTo("Running");
    assertThat(processIn(counted, "web").getRestarts()).isEqualTo(4);
    assertThat(podRestarts(counted)).as("read back from the API server: the schema keeps it")
        .extracting(PodRestarts::getPod).containsExactlyInAnyOrder(a, b);
    assertThat(podRestarts(counted)).allSatisfy(p -> {
      assertThat(p.getRecent()).hasSize(2);
      assertThat(p.getCrashLoop()).isNull();
    });

    // a third restart of one pod, and it stays down: a crash loop naming that pod
    restart(a, 3, false);
    ProcessGroupStatus looping = awaitStatus("cl", st -> "Degraded".equals(st.getPhase()));
    assertThat(condition(looping, "Degraded").getReason()).isEqualTo("CrashLoop");
    assertThat(condition(looping, "Degraded").getMessage())
        .startsWith("process web restarted more than 2 times within 10m in pod " + a + "; last termination: Error");
    assertThat(podRestarts(looping)).filteredOn(p -> p.getPod().equals(a)).singleElement()
        .satisfies(p -> {
          assertThat(p.getCrashLoop()).isTrue();
          assertThat(p.getRecent()).hasSize(3);
        });
    assertThat(podRestarts(looping)).filteredOn(p -> p.getPod().equals(b)).singleElement()
        .satisfies(p -> assertThat(p.getCrashLoop()).isNull());
    // (how a loop ends, Ready again with the restarts out of the window, is pinned by CrashLoopPolicyTest)
  }

  /** The kubelet's report of a container that restarted {@code count} times in all, the last just now. */
  void restart(String pod, int count, boolean readyAgain) {
    Pod p = client.pods().inNamespace(ns).withName(pod).get();
    p.getStatus().getConditions().get(0).setStatus(readyAgain ? "True" : "False");
    var c = p.getStatus().getContainerStatuses().get(0);
    c.setReady(readyAgain);
    c.setRestartCount(count);
    c.setLastState(new ContainerStateBuilder().withNewTerminated().withExitCode(1).withReason("Error")
        .withFinishedAt(Instant.now().toString()).endTerminated().build());
    client.pods().inNamespace(ns).resource(p).updateStatus();
  }

  void writeDeploymentStatus(String name, Consumer<io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder> edit) {
    Deployment d = deployment(name);
    var status = new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder(Serialization.clone(d.getStatus()));
    edit.accept(status);
    d.setStatus(status.build());
    client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
  }

  List<Pod> podsOf(String process) {
    return client.pods().inNamespace(ns).withLabel("procgroup.dev/process", process).list().getItems();
  }

  static ProcessStatus processIn(ProcessGroupStatus s, String name) {
    return s.getProcesses().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
  }

  static List<PodRestarts> podRestarts(ProcessGroupStatus s) {
    List<PodRestarts> l = processIn(s, "web").getPodRestarts();
    return l == null ? List.of() : l;
  }

  List<Event> events() {
    return client.v1().events().inNamespace(ns).list().getItems();
  }
}
