package dev.procgroup.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each failure kind, as the kubelet and the Deployment controller write it, and what the process reports. */
class ProcessFailureTest {
  static final Quantity MEMORY = new Quantity("128Mi");

  static Pod pod(String name, ContainerStatus... app) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewStatus().withPhase("Pending").withContainerStatuses(app).endStatus().build();
  }

  static ContainerStatus waiting(String container, String reason, String message) {
    return new ContainerStatusBuilder().withName(container).withReady(false).withRestartCount(0)
        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
  }

  static ContainerStatus restartedAfter(String container, String reason, int exitCode, boolean ready) {
    return new ContainerStatusBuilder().withName(container).withReady(ready).withRestartCount(1)
        .withNewState().withNewRunning().withStartedAt("2026-12-01T10:00:05Z").endRunning().endState()
        .withNewLastState().withNewTerminated().withReason(reason).withExitCode(exitCode)
        .withFinishedAt("2026-12-01T10:00:00Z").endTerminated().endLastState().build();
  }

  static Deployment deployment(String type, String status, String reason, String message) {
    return new DeploymentBuilder().withNewMetadata().withGeneration(2L).endMetadata()
        .withNewStatus().withObservedGeneration(2L).addNewCondition().withType(type).withStatus(status)
        .withReason(reason).withMessage(message).endCondition().endStatus().build();
  }

  static Optional<ProcessFailure> of(Deployment d, Pod... pods) {
    return ProcessFailure.of("web", MEMORY, d, List.of(pods));
  }

  @Test
  void aHealthyProcessHasNoFailure() {
    assertThat(of(null, pod("web-1", restartedAfter("web", "Completed", 0, true)))).isEmpty();
  }

  @Test
  void imagePull() {
    assertThat(of(null, pod("web-1", waiting("web", "ErrImagePull",
        "rpc error: code = NotFound desc = failed to pull image \"shop:9\": not found")))).contains(new ProcessFailure(
            "ImagePullFailed", "ErrImagePull: rpc error: code = NotFound desc = failed to pull image \"shop:9\": "
                + "not found (pod web-1)", false));
    assertThat(of(null, pod("web-1", waiting("web", "ImagePullBackOff", "Back-off pulling image \"shop:9\""))))
        .contains(new ProcessFailure("ImagePullFailed", "ImagePullBackOff: Back-off pulling image \"shop:9\" "
            + "(pod web-1)", true));
  }

  @Test
  void theSidecarsImagePullNamesItsContainer() {
    Pod pod = new PodBuilder().withNewMetadata().withName("web-1").endMetadata().withNewStatus()
        .withInitContainerStatuses(waiting("procgroup-hub", "ImagePullBackOff", "Back-off pulling image \"hub:0\""))
        .endStatus().build();
    assertThat(of(null, pod)).map(ProcessFailure::message)
        .contains("ImagePullBackOff: Back-off pulling image \"hub:0\" (pod web-1, container procgroup-hub)");
  }

  @Test
  void configError() {
    assertThat(of(null, pod("web-1", waiting("web", "CreateContainerConfigError", "secret \"db\" not found"))))
        .contains(new ProcessFailure("ConfigError", "CreateContainerConfigError: secret \"db\" not found (pod web-1)",
            false));
  }

  @Test
  void anEntryThatCannotStartIsAConfigError() {
    ContainerStatus c = restartedAfter("web", "StartError", 128, false);
    c.getLastState().getTerminated().setMessage("exec: \"nodee\": executable file not found in $PATH");
    c.getState().setRunning(null);
    c.getState().setWaiting(new io.fabric8.kubernetes.api.model.ContainerStateWaiting("back-off 10s", "CrashLoopBackOff"));
    assertThat(of(null, pod("web-1", c))).map(ProcessFailure::message)
        .contains("StartError: exec: \"nodee\": executable file not found in $PATH (pod web-1)");
  }

  @Test
  void unschedulable() {
    Pod pod = new PodBuilder().withNewMetadata().withName("web-1").endMetadata().withNewStatus().withPhase("Pending")
        .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
        .withMessage("0/1 nodes are available: 1 Insufficient memory.").endCondition().endStatus().build();
    assertThat(of(null, pod)).contains(new ProcessFailure("Unschedulable",
        "Unschedulable: 0/1 nodes are available: 1 Insufficient memory. (pod web-1)", false));
  }

  @Test
  void podsTheReplicaSetCannotCreate() {
    assertThat(of(deployment("ReplicaFailure", "True", "FailedCreate", "pods \"web-1\" is forbidden: exceeded quota")))
        .contains(new ProcessFailure("PodsNotCreated", "FailedCreate: pods \"web-1\" is forbidden: exceeded quota", false));
  }

  @Test
  void oomKilledUntilReadyAgain() {
    assertThat(of(null, pod("web-1", restartedAfter("web", "OOMKilled", 137, false)))).contains(new ProcessFailure(
        "OOMKilled", "OOMKilled: the container used more than its memory limit (128Mi), exit code 137 (pod web-1)", false));
    assertThat(of(null, pod("web-1", restartedAfter("web", "OOMKilled", 137, true))))
        .as("back up and Ready: the kill is history (lastTermination), a repeat is a crash loop").isEmpty();
  }

  @Test
  void progressDeadline() {
    assertThat(of(deployment("Progressing", "False", "ProgressDeadlineExceeded",
        "ReplicaSet \"web-7c9\" has timed out progressing."))).contains(new ProcessFailure(
            "ProgressDeadlineExceeded", "ProgressDeadlineExceeded: ReplicaSet \"web-7c9\" has timed out progressing.",
            false));
  }

  @Test
  void aDeploymentConditionOfAnOlderRolloutDoesNotCount() {
    Deployment d = deployment("Progressing", "False", "ProgressDeadlineExceeded", "timed out");
    d.getMetadata().setGeneration(3L); // changed since; the controller has not looked yet
    assertThat(of(d)).isEmpty();
  }

  @Test
  void whatStopsAPodEarliestWins() {
    Pod pulling = pod("web-2", waiting("web", "ErrImagePull", "not found"));
    assertThat(of(deployment("Progressing", "False", "ProgressDeadlineExceeded", "timed out"), pulling))
        .map(ProcessFailure::reason).contains("ImagePullFailed");
  }

  @Test
  void terminatingPodsDoNotCount() {
    Pod going = pod("web-1", waiting("web", "ErrImagePull", "not found"));
    going.getMetadata().setDeletionTimestamp("2026-12-01T10:00:00Z");
    assertThat(of(null, going)).isEmpty();
  }
}
