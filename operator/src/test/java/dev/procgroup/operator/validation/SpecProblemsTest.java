package dev.procgroup.operator.validation;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.port;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.RestartPolicySpec;
import dev.procgroup.operator.OperatorConfig.SidecarConfig;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpecProblemsTest {
  static final SidecarConfig SIDECAR = SidecarConfig.defaults();
  static final SpecProblems.TakenNames NOTHING_TAKEN = (kind, name) -> Optional.empty();

  static SpecProblems.TakenNames taken(Map<String, String> groupByKindAndName) {
    return (kind, name) -> Optional.ofNullable(groupByKindAndName.get(kind + "/" + name));
  }

  @Test
  void aValidGroupHasNoProblems() {
    ProcessSpec web = process("web", 0, 1);
    web.setPorts(List.of(port("http", 8080)));
    assertThat(SpecProblems.of(group("shop", web), SIDECAR, NOTHING_TAKEN)).isEmpty();
  }

  @Test
  void aDeploymentNameAnotherGroupHasIsRefused() {
    ProcessGroup ab = group("a-b", process("c", 0, 1));
    assertThat(SpecProblems.of(ab, SIDECAR, taken(Map.of("Deployment/a-b-c", "a")))).containsExactly(
        "spec.processes[0].name: the Deployment a-b-c belongs to ProcessGroup a; rename the process or the group");
  }

  @Test
  void theGroupsOwnObjectsAreNoConflict() {
    ProcessSpec web = process("web", 0, 1);
    web.setPorts(List.of(port("http", 8080)));
    assertThat(SpecProblems.of(group("shop", web), SIDECAR,
        taken(Map.of("Deployment/shop-web", "shop", "Service/shop-web", "shop")))).isEmpty();
  }

  @Test
  void aServiceNameAnotherGroupHasIsRefusedOnlyWhenTheProcessHasAService() {
    ProcessSpec exposed = process("c", 0, 1);
    exposed.setPorts(List.of(port("http", 8080)));
    SpecProblems.TakenNames service = taken(Map.of("Service/a-b-c", "a"));
    assertThat(SpecProblems.of(group("a-b", exposed), SIDECAR, service)).containsExactly(
        "spec.processes[0].name: the Service a-b-c belongs to ProcessGroup a; rename the process or the group, "
            + "or set expose: None");
    assertThat(SpecProblems.of(group("a-b", process("c", 0, 1)), SIDECAR, service)).isEmpty();
  }

  @Test
  void aHubServiceNameAnotherGroupsProcessHasIsRefused() {
    // group a's process b-hub has the Service a-b-hub: group a-b's hub Service would be the same object
    assertThat(SpecProblems.of(group("a-b", process("c", 0, 1)), SIDECAR, taken(Map.of("Service/a-b-hub", "a"))))
        .containsExactly("metadata.name: the Service a-b-hub (this group's hub Service, how its sidecars find each "
            + "other) belongs to ProcessGroup a; rename the group");
    assertThat(SpecProblems.of(group("a-b", process("c", 0, 1)), SIDECAR, taken(Map.of("Service/a-b-hub", "a-b"))))
        .isEmpty();
  }

  @Test
  void portsOfASidecarConfiguredAwayFromTheDefaultsAreRefused() {
    SidecarConfig moved = new SidecarConfig(true, "sidecar:1", null, null, null, null, 8000, 8001, 8002);
    ProcessSpec web = process("web", 0, 1);
    web.setPorts(List.of(port("http", 8080), port("admin", 8001)));
    assertThat(SpecProblems.of(group("shop", web), moved, NOTHING_TAKEN)).containsExactly(
        "spec.processes[0].ports[1].containerPort: 8001 is this operator's hub sidecar peer port "
            + "(PROCGROUP_SIDECAR_PEER_PORT); use another port, or set spec.hub: false");
    ProcessGroup noHub = group("shop", web);
    noHub.getSpec().setHub(false);
    assertThat(SpecProblems.of(noHub, moved, NOTHING_TAKEN)).as("no sidecar, no clash").isEmpty();
    assertThat(SpecProblems.of(group("shop", web), moved.disabled(), NOTHING_TAKEN)).isEmpty();
  }

  @Test
  void requestsAboveLimitsAreRefused() {
    ProcessSpec web = process("web", 0, 1);
    web.setResources(new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("1500m")).addToLimits("cpu", new Quantity("1"))
        .addToRequests("memory", new Quantity("64Mi")).addToLimits("memory", new Quantity("1Gi")).build());
    assertThat(SpecProblems.of(group("shop", web), SIDECAR, NOTHING_TAKEN)).containsExactly(
        "spec.processes[0].resources.requests.cpu: 1500m exceeds resources.limits.cpu (1)");
  }

  @Test
  void extendedResourcesNeedLimitsEqualToTheRequests() {
    ProcessSpec web = process("web", 0, 1);
    web.setResources(new ResourceRequirementsBuilder()
        .addToRequests("example.com/gpu", new Quantity("1")).addToLimits("example.com/gpu", new Quantity("2"))
        .addToRequests("hugepages-2Mi", new Quantity("2Mi")).addToLimits("hugepages-2Mi", new Quantity("2097152"))
        .build());
    assertThat(SpecProblems.of(group("shop", web), SIDECAR, NOTHING_TAKEN)).containsExactly(
        "spec.processes[0].resources.requests.example.com/gpu: 1 must equal resources.limits.example.com/gpu (2): "
            + "Kubernetes does not overcommit example.com/gpu");
  }

  @Test
  void aWindowTheOperatorCannotReadIsRefused() {
    ProcessGroup pg = group("shop", process("web", 0, 1));
    pg.getSpec().setRestart(new RestartPolicySpec(3, "99999999999999999999h"));
    assertThat(SpecProblems.of(pg, SIDECAR, NOTHING_TAKEN)).singleElement().asString()
        .startsWith("spec.restart.window: ");
  }
}
