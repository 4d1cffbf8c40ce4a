package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the CRD cannot refuse, the operator does: Degraded (InvalidSpec) naming the field, and nothing created. */
class SpecRefusalIT extends ApiTestSupport {

  @Test
  void aGroupWhoseDeploymentNameAnotherGroupHasCreatesNothing() {
    create(group("a", process("b-c", 0, 1)));
    awaitPhase("a", "Running");
    create(group("a-b", process("c", 0, 1)));
    ProcessGroupStatus s = awaitPhase("a-b", "Failed");
    assertThat(condition(s, "Degraded").getReason()).isEqualTo("InvalidSpec");
    assertThat(s.getMessage()).isEqualTo("nothing is applied until the spec is fixed: spec.processes[0].name: the "
        + "Deployment a-b-c belongs to ProcessGroup a; rename the process or the group");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() ->
        "a".equals(deployment("a-b-c").getMetadata().getLabels().get("procgroup.dev/group"))
            && client.secrets().inNamespace(ns).withName("a-b-hub").get() == null);
    assertThat(get("a").getStatus().getPhase()).as("the first group is untouched").isEqualTo("Running");
    await().atMost(Duration.ofSeconds(10)).until(() -> warnings().stream()
        .anyMatch(e -> e.getMessage().contains("spec.processes[0].name: the Deployment a-b-c belongs to")));
  }

  @Test
  void requestsAboveLimitsAreRefusedUntilFixed() {
    ProcessSpec web = process("web", 0, 1);
    web.setResources(new ResourceRequirementsBuilder()
        .addToRequests("memory", new Quantity("2Gi")).addToLimits("memory", new Quantity("1Gi")).build());
    create(group("greedy", web));
    ProcessGroupStatus s = awaitPhase("greedy", "Failed");
    assertThat(condition(s, "Degraded").getMessage())
        .contains("spec.processes[0].resources.requests.memory: 2Gi exceeds resources.limits.memory (1Gi)");
    assertThat(deployment("greedy-web")).isNull();

    ProcessGroup pg = get("greedy");
    pg.getSpec().getProcesses().get(0).getResources().getRequests().put("memory", new Quantity("512Mi"));
    updateGroup(pg);
    assertThat(condition(awaitPhase("greedy", "Running"), "Degraded").getStatus()).isEqualTo("False");
  }

  private List<Event> warnings() {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "Warning".equals(e.getType())).toList();
  }
}
