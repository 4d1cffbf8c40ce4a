package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pod and Deployment failures reach the group's status: Degraded with the failure's reason and the pod's own
 * message, per process, with a Warning event; fixed, they clear, with a ProcessRecovered event. No kubelet runs
 * here: the test writes the pod or Deployment status each failure leaves (what the kubelet and the Deployment
 * controller would write; the e2e suite sees the real ones).
 */
class FailureStatusIT extends ApiTestSupport {

  /**
   * @param kind     the reason expected in Degraded and status.processes[].reason
   * @param message  what the process's message must say
   * @param breakPod how the kubelet reports the failure in the pod's status (null: the Deployment's)
   * @param breakDeployment how the Deployment controller reports it
   */
  record Failure(String kind, String message, Consumer<PodStatus> breakPod, DeploymentCondition breakDeployment) {
    @Override
    public String toString() { return kind; }
  }

  static Stream<Failure> failures() {
    return Stream.of(
        new Failure("ImagePullFailed", "ErrImagePull: failed to pull image \"docker.io/shop:9\": not found",
            s -> waiting(s, "ErrImagePull", "failed to pull image \"docker.io/shop:9\": not found"), null),
        new Failure("ConfigError", "CreateContainerConfigError: secret \"f-hub\" not found",
            s -> waiting(s, "CreateContainerConfigError", "secret \"f-hub\" not found"), null),
        new Failure("Unschedulable", "Unschedulable: 0/1 nodes are available: 1 Insufficient memory.", s -> {
          s.setPhase("Pending");
          s.setContainerStatuses(List.of());
          s.setConditions(List.of(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
              .withReason("Unschedulable").withMessage("0/1 nodes are available: 1 Insufficient memory.").build()));
        }, null),
        new Failure("OOMKilled", "OOMKilled: the container used more memory than it may, exit code 137", s -> {
          s.getConditions().get(0).setStatus("False");
          s.setContainerStatuses(List.of(new ContainerStatusBuilder(s.getContainerStatuses().get(0)).withReady(false)
              .withRestartCount(1).withNewLastState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
              .withFinishedAt("2026-12-01T10:00:00Z").endTerminated().endLastState().build()));
        }, null),
        new Failure("PodsNotCreated", "FailedCreate: pods \"f-web-x\" is forbidden: exceeded quota: pods", null,
            new DeploymentConditionBuilder().withType("ReplicaFailure").withStatus("True").withReason("FailedCreate")
                .withMessage("pods \"f-web-x\" is forbidden: exceeded quota: pods").build()),
        new Failure("ProgressDeadlineExceeded",
            "ProgressDeadlineExceeded: ReplicaSet \"f-web-7c9\" has timed out progressing.", null,
            new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                .withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet \"f-web-7c9\" has timed out progressing.")
                .build()));
  }

  static void waiting(PodStatus s, String reason, String message) {
    s.setPhase("Pending");
    s.getConditions().get(0).setStatus("False");
    s.setContainerStatuses(List.of(new ContainerStatusBuilder(s.getContainerStatuses().get(0)).withReady(false)
        .withStarted(false).withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting()
        .endState().build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void aFailureDegradesTheGroupPerProcessAndClearsWhenFixed(Failure f) {
    create(group("f", process("agent", 0, 1), process("web", 1, 1)));
    awaitPhase("f", "Running");
    Pod pod = client.pods().inNamespace(ns).withLabel("procgroup.dev/process", "web").list().getItems().get(0);
    PodStatus healthy = Serialization.clone(pod.getStatus());
    if (f.breakPod() != null) {
      PodStatus broken = Serialization.clone(healthy);
      f.breakPod().accept(broken);
      pod.setStatus(broken);
      client.pods().inNamespace(ns).resource(pod).updateStatus();
    } else {
      setDeploymentConditions(deployment("f-web"), List.of(f.breakDeployment()));
    }

    ProcessGroupStatus s = awaitStatus("f", st -> "Degraded".equals(st.getPhase()));
    assertThat(condition(s, "Degraded").getReason()).isEqualTo(f.kind());
    assertThat(condition(s, "Degraded").getMessage()).startsWith("process web: " + f.message());
    ProcessStatus web = s.getProcesses().get(1);
    assertThat(web.getPhase()).isEqualTo("Failing");
    assertThat(web.getReason()).isEqualTo(f.kind());
    assertThat(web.getMessage()).startsWith(f.message());
    assertThat(s.getProcesses().get(0).getReason()).as("agent is fine").isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> events().stream().anyMatch(e ->
        "Warning".equals(e.getType()) && f.kind().equals(e.getReason()) && e.getMessage().startsWith("process web: ")));

    if (f.breakPod() != null) {
      pod = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
      pod.setStatus(healthy);
      client.pods().inNamespace(ns).resource(pod).updateStatus();
    } else {
      setDeploymentConditions(deployment("f-web"), List.of());
    }
    ProcessGroupStatus fixed = awaitStatus("f", st -> "Running".equals(st.getPhase()));
    assertThat(condition(fixed, "Degraded").getStatus()).isEqualTo("False");
    assertThat(fixed.getProcesses().get(1).getReason()).isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> events().stream().anyMatch(e ->
        "ProcessRecovered".equals(e.getReason()) && e.getMessage().equals("process web recovered from " + f.kind())));
  }

  void setDeploymentConditions(Deployment d, List<DeploymentCondition> conditions) {
    d.getStatus().setConditions(new ArrayList<>(conditions));
    client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
  }

  List<Event> events() {
    return client.v1().events().inNamespace(ns).list().getItems();
  }
}
