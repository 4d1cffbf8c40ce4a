package dev.procgroup.operator.validation;

import dev.procgroup.api.v1alpha1.Expose;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.OperatorConfig.SidecarConfig;
import dev.procgroup.operator.desired.DesiredDeployment;
import dev.procgroup.operator.desired.Names;
import dev.procgroup.operator.status.Durations;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the CRD cannot refuse, refused by the operator before it creates anything: each problem names its field.
 * <ul>
 *   <li>a name another group's Deployment or Service already has ({@code <group>-<process>} is not unique across
 *       groups: group {@code a-b} with process {@code c} and group {@code a} with process {@code b-c}), the group's
 *       hub Service {@code <group>-hub} among them;</li>
 *   <li>a port this operator's hub sidecar uses when it is configured away from the defaults the CRD refuses;</li>
 *   <li>resource requests above their limits (CEL's quantity comparison exceeds the API server's cost budget);</li>
 *   <li>a restart window the operator cannot read (a CRD older than the operator).</li>
 * </ul>
 */
public final class SpecProblems {
  /** Objects of the operator's in the group's namespace: the group a Deployment or Service of that name belongs to. */
  public interface TakenNames {
    Optional<String> groupOf(String kind, String name);
  }

  private SpecProblems() {}

  public static List<String> of(ProcessGroup pg, SidecarConfig sidecar, TakenNames taken) {
    List<String> problems = new ArrayList<>();
    String group = pg.getMetadata().getName();
    List<ProcessSpec> processes = pg.getSpec().getProcesses();
    boolean hub = DesiredDeployment.hubEnabled(pg, sidecar);
    for (int i = 0; i < processes.size(); i++) {
      ProcessSpec p = processes.get(i);
      String at = "spec.processes[" + i + "]";
      String name = Names.process(group, p.getName());
      nameTakenBy(taken, "Deployment", name, group).ifPresent(other -> problems.add(at + ".name: the Deployment "
          + name + " belongs to ProcessGroup " + other + "; rename the process or the group"));
      if (p.effectiveExpose() != Expose.None) {
        nameTakenBy(taken, "Service", name, group).ifPresent(other -> problems.add(at + ".name: the Service "
            + name + " belongs to ProcessGroup " + other + "; rename the process or the group, or set expose: None"));
      }
      if (hub) sidecarPorts(p.getPorts(), sidecar, at, problems);
      requestsWithinLimits(p.getResources(), at, problems);
    }
    if (hub) {
      String hubService = Names.hub(group);
      nameTakenBy(taken, "Service", hubService, group).ifPresent(other -> problems.add("metadata.name: the Service "
          + hubService + " (this group's hub Service, how its sidecars find each other) belongs to ProcessGroup "
          + other + "; rename the group"));
    }
    if (pg.getSpec().getRestart() != null) {
      try {
        Durations.parse(pg.getSpec().getRestart().getWindow(), null);
      } catch (IllegalArgumentException | ArithmeticException e) {
        problems.add("spec.restart.window: " + e.getMessage());
      }
    }
    return problems;
  }

  private static Optional<String> nameTakenBy(TakenNames taken, String kind, String name, String group) {
    return taken.groupOf(kind, name).filter(other -> !other.equals(group));
  }

  private static void sidecarPorts(List<ContainerPort> ports, SidecarConfig sidecar, String at, List<String> problems) {
    if (ports == null) return;
    Map<Integer, String> used = Map.of(sidecar.hubPort(), "hub API port (PROCGROUP_SIDECAR_HUB_PORT)",
        sidecar.peerPort(), "peer port (PROCGROUP_SIDECAR_PEER_PORT)",
        sidecar.metricsPort(), "metrics port (PROCGROUP_SIDECAR_METRICS_PORT)");
    for (int j = 0; j < ports.size(); j++) {
      Integer number = ports.get(j).getContainerPort();
      if (number != null && used.containsKey(number)) {
        problems.add(at + ".ports[" + j + "].containerPort: " + number + " is this operator's hub sidecar "
            + used.get(number) + "; use another port, or set spec.hub: false");
      }
    }
  }

  /** Requests within limits; for hugepages and extended resources, which Kubernetes never overcommits, equal. */
  private static void requestsWithinLimits(ResourceRequirements r, String at, List<String> problems) {
    if (r == null || r.getRequests() == null || r.getLimits() == null) return;
    r.getRequests().forEach((resource, request) -> {
      Quantity limit = r.getLimits().get(resource);
      if (limit == null) return;
      int c = compare(request, limit);
      boolean exact = resource.startsWith("hugepages-") || resource.contains("/");
      if (c > 0) {
        problems.add(at + ".resources.requests." + resource + ": " + request + " exceeds resources.limits."
            + resource + " (" + limit + ")");
      } else if (exact && c < 0) {
        problems.add(at + ".resources.requests." + resource + ": " + request + " must equal resources.limits."
            + resource + " (" + limit + "): Kubernetes does not overcommit " + resource);
      }
    });
  }

  private static int compare(Quantity request, Quantity limit) {
    try {
      return request.getNumericalAmount().compareTo(limit.getNumericalAmount());
    } catch (IllegalArgumentException | ArithmeticException e) {
      return 0; // not a quantity: the CRD's pattern refuses it
    }
  }
}
