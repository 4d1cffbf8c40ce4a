package dev.procgroup.operator.status;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.RestartPolicySpec;
import dev.procgroup.operator.sequencing.ObservedProcess;
import dev.procgroup.operator.sequencing.Plan;
import dev.procgroup.operator.sequencing.Sequencer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusCalculatorTest {
  final Instant now = Instant.parse("2026-11-21T10:00:00Z");

  static Deployment deployment(int replicas, int ready) {
    return new DeploymentBuilder().withNewMetadata().withGeneration(1L).endMetadata()
        .withNewSpec().withReplicas(replicas).endSpec()
        .withNewStatus().withObservedGeneration(1L).withReadyReplicas(ready).withAvailableReplicas(ready)
        .withUpdatedReplicas(ready).withReplicas(replicas).endStatus().build();
  }

  static Pod crashingPod(String container, int restarts, String message) {
    return new PodBuilder().withNewMetadata().withName("shop-" + container + "-1").endMetadata()
        .withNewStatus().addNewContainerStatus().withName(container).withRestartCount(restarts)
        .withNewLastState().withNewTerminated().withReason("Error").withExitCode(3).withMessage(message)
        .withFinishedAt("2026-11-21T09:59:50Z").endTerminated().endLastState().endContainerStatus().endStatus().build();
  }

  ProcessGroupStatus compute(ProcessGroup pg, Map<String, ObservedProcess> states, Map<String, Deployment> ds,
      Map<String, List<Pod>> pods) {
    Plan plan = Sequencer.plan(pg.getSpec().getProcesses(), states);
    Map<String, ProcessObservation> o = new LinkedHashMap<>();
    for (ProcessSpec p : pg.getSpec().getProcesses()) {
      o.put(p.getName(), new ProcessObservation(p, ds.get(p.getName()), pods.getOrDefault(p.getName(), List.of()),
          states.getOrDefault(p.getName(), ObservedProcess.ABSENT)));
    }
    return StatusCalculator.compute(pg, plan, o, null, now);
  }

  static Condition condition(ProcessGroupStatus s, String type) {
    return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void progressingWhileALowerOrderStarts() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 2));
    ProcessGroupStatus s = compute(pg, Map.of("agent", new ObservedProcess(true, true, false)),
        Map.of("agent", deployment(1, 0)), Map.of());
    assertThat(s.getPhase()).isEqualTo("Progressing");
    assertThat(s.getReady()).isEqualTo("0/3");
    assertThat(s.getProcessesReady()).isEqualTo("0/2");
    assertThat(s.getObservedGeneration()).isEqualTo(1L);
    assertThat(s.getProcesses()).extracting("name", "phase").containsExactly(
        org.assertj.core.groups.Tuple.tuple("agent", "Starting"), org.assertj.core.groups.Tuple.tuple("web", "Waiting"));
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Progressing").getMessage()).contains("order 0 (agent)").contains("waiting: web");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
  }

  @Test
  void servicesCountTheReadyPodsOfTheirProcessAsLiveProviders() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 2));
    dev.procgroup.api.v1alpha1.ServiceSpec hidden = new dev.procgroup.api.v1alpha1.ServiceSpec("internal", "web");
    hidden.setPublish(false);
    pg.getSpec().setServices(List.of(new dev.procgroup.api.v1alpha1.ServiceSpec("cache", "agent"),
        new dev.procgroup.api.v1alpha1.ServiceSpec("pages", "web"), hidden));
    ProcessGroupStatus s = compute(pg, Map.of("agent", new ObservedProcess(true, true, true)),
        Map.of("agent", deployment(1, 1)), Map.of());
    assertThat(s.getServices()).extracting("name", "process", "providers", "desired").containsExactly(
        org.assertj.core.groups.Tuple.tuple("cache", "agent", 1, 1),
        org.assertj.core.groups.Tuple.tuple("pages", "web", 0, 2));
    assertThat(s.getServices().get(0).getMessage()).isNull();
    assertThat(s.getServices().get(1).getMessage())
        .isEqualTo("no Ready pod of process web (Starting); a pod turns Ready once its app publishes pages");

    pg.getSpec().setServices(List.of(hidden));
    assertThat(compute(pg, Map.of(), Map.of(), Map.of()).getServices()).isNull();
  }

  @Test
  void runningWhenEverythingIsReady() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 2));
    ObservedProcess ready = new ObservedProcess(true, true, true);
    ProcessGroupStatus s = compute(pg, Map.of("agent", ready, "web", ready),
        Map.of("agent", deployment(1, 1), "web", deployment(2, 2)), Map.of());
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(s.getReady()).isEqualTo("3/3");
    assertThat(s.getMessage()).isNull();
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Ready").getLastTransitionTime()).isEqualTo(now.toString());
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");

    pg.setStatus(s);
    ProcessGroupStatus later = StatusCalculator.compute(pg, Sequencer.plan(pg.getSpec().getProcesses(),
        Map.of("agent", ready, "web", ready)), Map.of(
            "agent", new ProcessObservation(pg.getSpec().getProcesses().get(0), deployment(1, 1), List.of(), ready),
            "web", new ProcessObservation(pg.getSpec().getProcesses().get(1), deployment(2, 2), List.of(), ready)),
        null, now.plusSeconds(60));
    assertThat(condition(later, "Ready").getLastTransitionTime()).as("unchanged status keeps its transition time")
        .isEqualTo(now.toString());
    assertThat(StatusCalculator.same(s, later)).isTrue();
  }

  @Test
  void aProcessWithAServiceReportsItsDnsName() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 2));
    ObservedProcess ready = new ObservedProcess(true, true, true);
    Service web = new ServiceBuilder().withNewMetadata().withName("shop-web").withNamespace("default").endMetadata()
        .build();
    ProcessGroupStatus s = StatusCalculator.compute(pg, Sequencer.plan(pg.getSpec().getProcesses(),
        Map.of("agent", ready, "web", ready)), Map.of(
            "agent", new ProcessObservation(pg.getSpec().getProcesses().get(0), deployment(1, 1), List.of(), ready),
            "web", new ProcessObservation(pg.getSpec().getProcesses().get(1), deployment(2, 2), List.of(), ready, web)),
        null, now);
    assertThat(s.getProcesses()).extracting("name", "service").containsExactly(
        org.assertj.core.groups.Tuple.tuple("agent", null),
        org.assertj.core.groups.Tuple.tuple("web", "shop-web.default.svc"));
  }

  @Test
  void crashLoopDegradesTheGroupNamingTheProcessAndItsLastTermination() {
    ProcessGroup pg = group("shop", process("agent", 0, 1));
    pg.getSpec().setRestart(new RestartPolicySpec(2, "5m"));
    ObservedProcess starting = new ObservedProcess(true, true, false);
    ProcessGroupStatus first = compute(pg, Map.of("agent", starting), Map.of("agent", deployment(1, 0)),
        Map.of("agent", List.of(crashingPod("agent", 0, "boom"))));
    pg.setStatus(first);
    ProcessGroupStatus s = compute(pg, Map.of("agent", starting), Map.of("agent", deployment(1, 0)),
        Map.of("agent", List.of(crashingPod("agent", 3, "Error: cannot connect to db"))));
    assertThat(s.getPhase()).isEqualTo("Degraded");
    assertThat(s.getProcesses().get(0).getPhase()).isEqualTo("CrashLoop");
    assertThat(s.getProcesses().get(0).getRestarts()).isEqualTo(3);
    Condition degraded = condition(s, "Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("CrashLoop");
    assertThat(degraded.getMessage()).contains("process agent restarted more than 2 times within 5m in pod shop-agent-1")
        .contains("Error (exit code 3): Error: cannot connect to db");
    assertThat(StatusCalculator.reviewAfter(pg, s, now)).as("when the restarts leave the window, with no event")
        .hasValue(java.time.Duration.ofSeconds(290));
    assertThat(StatusCalculator.reviewAfter(pg, first, now)).isEmpty();
  }

  @Test
  void applyErrorFailsTheGroupWithTheApiMessage() {
    ProcessGroup pg = group("shop", process("agent", 0, 1));
    Plan plan = Sequencer.plan(pg.getSpec().getProcesses(), Map.of());
    ProcessGroupStatus s = StatusCalculator.compute(pg, plan, Map.of("agent", new ProcessObservation(
        pg.getSpec().getProcesses().get(0), null, List.of(), ObservedProcess.ABSENT)),
        NotApplied.applyFailed("quota exceeded"), now);
    assertThat(s.getPhase()).isEqualTo("Failed");
    assertThat(condition(s, "Degraded").getReason()).isEqualTo("ApplyFailed");
    assertThat(s.getMessage()).isEqualTo("the API refused the desired state: quota exceeded");
  }

  @Test
  void aRefusedApplyIsRetriedAfterAsLongAsItHasLastedWithinBounds() {
    ProcessGroup pg = group("shop", process("agent", 0, 1));
    Plan plan = Sequencer.plan(pg.getSpec().getProcesses(), Map.of());
    Map<String, ProcessObservation> absent = Map.of("agent", new ProcessObservation(
        pg.getSpec().getProcesses().get(0), null, List.of(), ObservedProcess.ABSENT));
    ProcessGroupStatus first = StatusCalculator.compute(pg, plan, absent,
        NotApplied.applyFailed("connection refused"), now);
    assertThat(StatusCalculator.reviewAfter(pg, first, now)).as("the first retry: the status write wakes nothing")
        .hasValue(StatusCalculator.APPLY_RETRY_MIN);
    pg.setStatus(first);
    Instant later = now.plusSeconds(13);
    ProcessGroupStatus again = StatusCalculator.compute(pg, plan, absent,
        NotApplied.applyFailed("connection refused"), later);
    assertThat(StatusCalculator.reviewAfter(pg, again, later)).as("as long as it has been refused")
        .hasValue(java.time.Duration.ofSeconds(13));
    assertThat(StatusCalculator.reviewAfter(pg, again, now.plusSeconds(3600))).as("at most")
        .hasValue(StatusCalculator.APPLY_RETRY_MAX);
    ProcessGroupStatus applied = StatusCalculator.compute(pg, plan, absent, null, later);
    assertThat(StatusCalculator.reviewAfter(pg, applied, later)).as("applied: no retry").isEmpty();
  }

  @Test
  void aRefusedSpecFailsTheGroupNamingTheFields() {
    ProcessGroup pg = group("shop", process("agent", 0, 1));
    Plan plan = Sequencer.plan(pg.getSpec().getProcesses(), Map.of());
    ProcessGroupStatus s = StatusCalculator.compute(pg, plan, Map.of("agent", new ProcessObservation(
        pg.getSpec().getProcesses().get(0), null, List.of(), ObservedProcess.ABSENT)),
        NotApplied.invalidSpec(List.of("spec.processes[0].name: taken", "spec.restart.window: bad")), now);
    assertThat(s.getPhase()).isEqualTo("Failed");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Degraded").getReason()).isEqualTo("InvalidSpec");
    assertThat(s.getMessage()).isEqualTo("nothing is applied until the spec is fixed: spec.processes[0].name: taken; "
        + "spec.restart.window: bad");
  }

  static Pod pullingPod(String reason, String message) {
    return new PodBuilder().withNewMetadata().withName("shop-web-1").endMetadata().withNewStatus()
        .addNewContainerStatus().withName("web").withReady(false).withRestartCount(0).withNewState().withNewWaiting()
        .withReason(reason).withMessage(message).endWaiting().endState().endContainerStatus().endStatus().build();
  }

  @Test
  void aFailingProcessDegradesTheGroupWithItsReasonAndThePodsMessageAndClearsWhenFixed() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 1));
    ObservedProcess ready = new ObservedProcess(true, true, true);
    ObservedProcess starting = new ObservedProcess(true, true, false);
    ProcessGroupStatus s = compute(pg, Map.of("agent", ready, "web", starting),
        Map.of("agent", deployment(1, 1), "web", deployment(1, 0)),
        Map.of("web", List.of(pullingPod("ErrImagePull", "failed to pull image \"shop:9\": not found"))));
    assertThat(s.getPhase()).isEqualTo("Degraded");
    Condition degraded = condition(s, "Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("ImagePullFailed");
    assertThat(degraded.getMessage()).isEqualTo(
        "process web: ErrImagePull: failed to pull image \"shop:9\": not found (pod shop-web-1)");
    assertThat(s.getMessage()).isEqualTo(degraded.getMessage());
    assertThat(s.getProcesses()).extracting("name", "phase", "reason").containsExactly(
        org.assertj.core.groups.Tuple.tuple("agent", "Running", null),
        org.assertj.core.groups.Tuple.tuple("web", "Failing", "ImagePullFailed"));
    assertThat(s.getProcesses().get(1).getMessage())
        .isEqualTo("ErrImagePull: failed to pull image \"shop:9\": not found (pod shop-web-1)");

    pg.setStatus(s);
    ProcessGroupStatus backingOff = compute(pg, Map.of("agent", ready, "web", starting),
        Map.of("agent", deployment(1, 1), "web", deployment(1, 0)),
        Map.of("web", List.of(pullingPod("ImagePullBackOff", "Back-off pulling image \"shop:9\""))));
    assertThat(backingOff.getProcesses().get(1).getMessage()).as("the attempt's message stays while backing off")
        .isEqualTo(s.getProcesses().get(1).getMessage());
    assertThat(StatusCalculator.same(s, backingOff)).as("no status write for each retry").isTrue();

    pg.setStatus(backingOff);
    ProcessGroupStatus fixed = compute(pg, Map.of("agent", ready, "web", ready),
        Map.of("agent", deployment(1, 1), "web", deployment(1, 1)), Map.of());
    assertThat(fixed.getPhase()).isEqualTo("Running");
    assertThat(condition(fixed, "Degraded").getStatus()).isEqualTo("False");
    assertThat(condition(fixed, "Degraded").getMessage()).isEqualTo("no process is failing");
    assertThat(fixed.getProcesses().get(1).getReason()).isNull();
    assertThat(fixed.getProcesses().get(1).getMessage()).isNull();
  }

  @Test
  void aBackOffWithoutAnEarlierAttemptShowsTheBackOff() {
    ProcessGroup pg = group("shop", process("web", 0, 1));
    ProcessGroupStatus s = compute(pg, Map.of("web", new ObservedProcess(true, true, false)),
        Map.of("web", deployment(1, 0)),
        Map.of("web", List.of(pullingPod("ImagePullBackOff", "Back-off pulling image \"shop:9\""))));
    assertThat(s.getProcesses().get(0).getMessage())
        .isEqualTo("ImagePullBackOff: Back-off pulling image \"shop:9\" (pod shop-web-1)");
  }

  @Test
  void theLowestFailingOrderGivesTheReasonAndEveryFailureIsListed() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 1));
    ObservedProcess starting = new ObservedProcess(true, true, false);
    Pod unschedulable = new PodBuilder().withNewMetadata().withName("shop-agent-1").endMetadata().withNewStatus()
        .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
        .withMessage("0/1 nodes are available: 1 Insufficient cpu.").endCondition().endStatus().build();
    ProcessGroupStatus s = compute(pg, Map.of("agent", starting, "web", starting),
        Map.of("agent", deployment(1, 0), "web", deployment(1, 0)),
        Map.of("agent", List.of(unschedulable), "web", List.of(pullingPod("CreateContainerConfigError",
            "secret \"db\" not found"))));
    assertThat(condition(s, "Degraded").getReason()).isEqualTo("Unschedulable");
    assertThat(condition(s, "Degraded").getMessage()).isEqualTo(
        "process agent: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu. (pod shop-agent-1); "
            + "process web: CreateContainerConfigError: secret \"db\" not found (pod shop-web-1)");
  }

  @Test
  void aCrashLoopOfOomKillsSaysOomKilled() {
    ProcessSpec web = process("web", 0, 1);
    web.setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("64Mi")).build());
    ProcessGroup pg = group("shop", web);
    pg.getSpec().setRestart(new RestartPolicySpec(1, "10m"));
    ObservedProcess starting = new ObservedProcess(true, true, false);
    pg.setStatus(compute(pg, Map.of("web", starting), Map.of("web", deployment(1, 0)), Map.of()));
    Pod oom = new PodBuilder().withNewMetadata().withName("shop-web-1").endMetadata().withNewStatus()
        .addNewContainerStatus().withName("web").withReady(false).withRestartCount(4).withNewLastState()
        .withNewTerminated().withReason("OOMKilled").withExitCode(137).withFinishedAt("2026-11-21T09:59:58Z")
        .endTerminated().endLastState().endContainerStatus().endStatus().build();
    ProcessGroupStatus s = compute(pg, Map.of("web", starting), Map.of("web", deployment(1, 0)),
        Map.of("web", List.of(oom)));
    assertThat(s.getProcesses().get(0).getPhase()).isEqualTo("CrashLoop");
    assertThat(s.getProcesses().get(0).getReason()).isEqualTo("OOMKilled");
    assertThat(s.getProcesses().get(0).getMessage()).isEqualTo(
        "OOMKilled: the container used more than its memory limit (64Mi), exit code 137 (pod shop-web-1)");
    assertThat(condition(s, "Degraded").getReason()).isEqualTo("OOMKilled");
    assertThat(condition(s, "Degraded").getMessage())
        .isEqualTo("process web restarted more than 1 time within 10m in pod shop-web-1; last termination: OOMKilled "
            + "(exit code 137)");
  }

  // -- semantics (operator/README.md, "Semantics") -------------------------------------------------------------

  static final ObservedProcess READY = new ObservedProcess(true, true, true);
  static final ObservedProcess PENDING_CHANGE = new ObservedProcess(true, false, true);
  /** Rolled out and current, no replica available: a crash, an eviction, a node problem. */
  static final ObservedProcess LOST = new ObservedProcess(true, true, false, true, false, false);
  /** The Deployment controller has not yet seen the latest generation (a scale change, or a template change). */
  static final ObservedProcess STALE = new ObservedProcess(true, true, false, false, true, false);

  static org.assertj.core.groups.Tuple t(Object... values) { return org.assertj.core.groups.Tuple.tuple(values); }

  @Test
  void aLowerOrderThatLostItsReplicasDegradesTheGroupNamingItWhileHigherOrdersKeepRunning() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 2));
    pg.setStatus(compute(pg, Map.of("agent", READY, "web", READY),
        Map.of("agent", deployment(1, 1), "web", deployment(2, 2)), Map.of()));
    assertThat(pg.getStatus().getPhase()).isEqualTo("Running");

    ProcessGroupStatus s = compute(pg, Map.of("agent", LOST, "web", READY),
        Map.of("agent", deployment(1, 0), "web", deployment(2, 2)), Map.of());
    assertThat(s.getPhase()).isEqualTo("Degraded");
    assertThat(s.getProcesses()).extracting("name", "phase", "reason", "message").containsExactly(
        t("agent", "Unavailable", "Unavailable", "0 of 1 replicas available"),
        t("web", "Running", null, null));
    assertThat(condition(s, "Degraded")).extracting("status", "reason", "message")
        .containsExactly("True", "Unavailable", "process agent (order 0) is unavailable: 0 of 1 replicas available");
    assertThat(condition(s, "Ready")).extracting("status", "reason", "message")
        .containsExactly("False", "ProcessUnavailable", "process agent (order 0) is unavailable: 0 of 1 replicas available");
    assertThat(condition(s, "Progressing")).as("nothing is rolling out").extracting("status", "reason")
        .containsExactly("False", "RolloutComplete");
    assertThat(s.getReady()).isEqualTo("2/3");
    assertThat(s.getProcessesReady()).isEqualTo("1/2");

    pg.setStatus(s);
    ProcessGroupStatus held = compute(pg, Map.of("agent", LOST, "web", PENDING_CHANGE),
        Map.of("agent", deployment(1, 0), "web", deployment(2, 2)), Map.of());
    assertThat(held.getProcesses()).extracting("name", "phase").containsExactly(t("agent", "Unavailable"),
        t("web", "Waiting"));
    assertThat(condition(held, "Progressing")).extracting("status", "reason", "message")
        .containsExactly("True", "WaitingForUnavailableOrder", "order 0 (agent) is unavailable; waiting: web");
    assertThat(condition(held, "Ready").getMessage()).isEqualTo("process agent (order 0) is unavailable: 0 of 1 "
        + "replicas available; changes of higher orders wait for it: web");
    assertThat(held.getPhase()).isEqualTo("Degraded");

    pg.setStatus(held);
    ProcessGroupStatus crashLooping = compute(pg, Map.of("agent", LOST, "web", READY),
        Map.of("agent", deployment(1, 0), "web", deployment(2, 2)),
        Map.of("agent", List.of(crashingPod("agent", 9, "boom"))));
    assertThat(crashLooping.getProcesses().get(0).getPhase()).as("a crash loop says more").isEqualTo("CrashLoop");
    assertThat(condition(crashLooping, "Progressing").getStatus()).isEqualTo("False");

    pg.setStatus(crashLooping);
    ProcessGroupStatus back = compute(pg, Map.of("agent", READY, "web", READY),
        Map.of("agent", deployment(1, 1), "web", deployment(2, 2)), Map.of());
    assertThat(back.getPhase()).isEqualTo("Running");
    assertThat(condition(back, "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void aProcessDownBetweenCrashesBelowTheLimitSaysItsLastTermination() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 1));
    pg.getSpec().setRestart(new RestartPolicySpec(5, "10m"));
    pg.setStatus(compute(pg, Map.of("agent", READY, "web", READY),
        Map.of("agent", deployment(1, 1), "web", deployment(1, 1)), Map.of()));
    ProcessGroupStatus s = compute(pg, Map.of("agent", LOST, "web", READY),
        Map.of("agent", deployment(1, 0), "web", deployment(1, 1)),
        Map.of("agent", List.of(crashingPod("agent", 1, "Error: cannot connect to db"))));
    assertThat(s.getProcesses().get(0)).extracting("phase", "reason").containsExactly("Unavailable", "Unavailable");
    assertThat(condition(s, "Degraded").getMessage()).as("the crash, not only the count of available replicas")
        .isEqualTo("process agent (order 0) is unavailable: 0 of 1 replicas available; restarting (1 restart), "
            + "last termination: Error (exit code 3): Error: cannot connect to db");
  }

  @Test
  void aProcessThatNeverRanIsStartingNotUnavailable() {
    // scaled from 0 to 1: the controller's record of the 0-replica rollout reads as rolled out
    ProcessGroup pg = group("shop", process("agent", 0, 1));
    ProcessGroupStatus before = new ProcessGroupStatus();
    dev.procgroup.api.v1alpha1.ProcessStatus stopped = new dev.procgroup.api.v1alpha1.ProcessStatus();
    stopped.setName("agent");
    stopped.setPhase("Stopped");
    before.setProcesses(List.of(stopped));
    pg.setStatus(before);
    ProcessGroupStatus s = compute(pg, Map.of("agent", LOST), Map.of("agent", deployment(1, 0)), Map.of());
    assertThat(s.getProcesses().get(0).getPhase()).isEqualTo("Starting");
    assertThat(s.getPhase()).isEqualTo("Progressing");
    pg.setStatus(s);
    assertThat(compute(pg, Map.of("agent", LOST), Map.of("agent", deployment(1, 0)), Map.of()).getProcesses().get(0)
        .getPhase()).as("and stays so until it is Ready").isEqualTo("Starting");
  }

  @Test
  void aScaleUpKeepsTheGroupReady() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 4));
    ProcessGroupStatus s = compute(pg, Map.of("agent", READY, "web", READY),
        Map.of("agent", deployment(1, 1), "web", deployment(4, 2)), Map.of());
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(s.getReady()).as("the shortfall shows in the pod count").isEqualTo("3/5");
    assertThat(s.getProcessesReady()).isEqualTo("2/2");
  }

  @Test
  void aScaleChangeTheDeploymentControllerHasNotSeenYetChangesNothing() {
    ProcessGroup pg = group("shop", process("agent", 0, 1), process("web", 1, 2));
    ProcessGroupStatus running = compute(pg, Map.of("agent", READY, "web", READY),
        Map.of("agent", deployment(1, 1), "web", deployment(2, 2)), Map.of());
    pg.setStatus(running);
    ProcessGroupStatus s = compute(pg, Map.of("agent", STALE, "web", READY),
        Map.of("agent", deployment(1, 1), "web", deployment(2, 2)), Map.of());
    assertThat(StatusCalculator.same(running, s)).as("no flip, no status write").isTrue();

    // after a template change the reconcile that applied it wrote Updating: a stale Deployment stays Updating
    pg.setStatus(compute(pg, Map.of("agent", PENDING_CHANGE, "web", READY),
        Map.of("agent", deployment(1, 1), "web", deployment(2, 2)), Map.of()));
    assertThat(pg.getStatus().getProcesses().get(0).getPhase()).isEqualTo("Updating");
    ProcessGroupStatus updating = compute(pg, Map.of("agent", STALE, "web", READY),
        Map.of("agent", deployment(1, 1), "web", deployment(2, 2)), Map.of());
    assertThat(updating.getProcesses().get(0).getPhase()).isEqualTo("Updating");
    assertThat(condition(updating, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(updating, "Progressing").getReason()).isEqualTo("RollingOutInOrder");
  }

  @Test
  void scaleZeroIsStoppedDoesNotCountAndDoesNotHoldHigherOrders() {
    ProcessGroup pg = group("shop", process("agent", 0, 0), process("web", 1, 2));
    ProcessGroupStatus first = compute(pg, Map.of(), Map.of(), Map.of());
    assertThat(first.getProcesses()).extracting("name", "phase").as("web starts without waiting for agent")
        .containsExactly(t("agent", "Stopped"), t("web", "Starting"));

    Pod leaving = new PodBuilder().withNewMetadata().withName("shop-agent-1").withDeletionTimestamp(now.toString())
        .endMetadata().build();
    ProcessGroupStatus stopping = compute(pg, Map.of("agent", READY, "web", READY),
        Map.of("agent", deployment(0, 0), "web", deployment(2, 2)), Map.of("agent", List.of(leaving)));
    assertThat(stopping.getProcesses().get(0).getPhase()).isEqualTo("Stopping");
    assertThat(condition(stopping, "Ready").getStatus()).as("a stopping process does not count").isEqualTo("True");
    assertThat(condition(stopping, "Progressing").getStatus()).isEqualTo("True");

    ProcessGroupStatus s = compute(pg, Map.of("agent", READY, "web", READY),
        Map.of("agent", deployment(0, 0), "web", deployment(2, 2)), Map.of());
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(s.getProcesses()).extracting("name", "phase", "desired").containsExactly(t("agent", "Stopped", 0),
        t("web", "Running", 2));
    assertThat(s.getReady()).isEqualTo("2/2");
    assertThat(s.getProcessesReady()).isEqualTo("1/1");
    assertThat(condition(s, "Ready").getMessage()).isEqualTo("1/1 processes ready, 1 stopped (scale 0)");
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
    ProcessGroup idle = group("idle", process("agent", 0, 0));
    ProcessGroupStatus none = compute(idle, Map.of("agent", READY), Map.of("agent", deployment(0, 0)), Map.of());
    assertThat(none).extracting("phase", "ready", "processesReady").containsExactly("Running", "0/0", "0/0");
  }
}
