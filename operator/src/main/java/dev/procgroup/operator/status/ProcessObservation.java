package dev.procgroup.operator.status;

import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.desired.DesiredService;
import dev.procgroup.operator.sequencing.ObservedProcess;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/** One process as observed: its spec, its Deployment (or null), its pods, its sequencing state, its Service (or null). */
public record ProcessObservation(ProcessSpec spec, Deployment deployment, List<Pod> pods, ObservedProcess state,
    Service service) {

  /** A process without a Service. */
  public ProcessObservation(ProcessSpec spec, Deployment deployment, List<Pod> pods, ObservedProcess state) {
    this(spec, deployment, pods, state, null);
  }

  /** The DNS name of its Service, while it has one. */
  public Optional<String> serviceAddress() {
    return Optional.ofNullable(service).map(DesiredService::address);
  }

  /** Restarts of the process's own container over its current pods (the hub sidecar's are not the app's). */
  public int restarts() {
    return appStatuses().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
  }

  /** Why the process cannot run, if its pods or Deployment say so (a crash loop is judged apart). */
  public Optional<ProcessFailure> failure() {
    Quantity memoryLimit = spec.getResources() == null || spec.getResources().getLimits() == null ? null
        : spec.getResources().getLimits().get("memory");
    return ProcessFailure.of(spec.getName(), memoryLimit, deployment, pods);
  }

  public int readyReplicas() {
    if (deployment == null || deployment.getStatus() == null) return 0;
    Integer r = deployment.getStatus().getReadyReplicas();
    return r == null ? 0 : r;
  }

  public int availableReplicas() {
    if (deployment == null || deployment.getStatus() == null) return 0;
    Integer r = deployment.getStatus().getAvailableReplicas();
    return r == null ? 0 : r;
  }

  /** Replicas wanted: the scale, or what the autoscaler currently asks for. */
  public int desiredReplicas() {
    if (spec.getAutoscale() != null) {
      return deployment != null && deployment.getSpec().getReplicas() != null
          ? deployment.getSpec().getReplicas() : spec.getAutoscale().getMin();
    }
    return spec.getScale() == null ? 1 : spec.getScale();
  }

  /** The latest termination of the process's container, as "reason (exit code N): message". */
  public Optional<String> lastTermination() {
    return appStatuses()
        .flatMap(c -> Stream.of(
            c.getLastState() == null ? null : c.getLastState().getTerminated(),
            c.getState() == null ? null : c.getState().getTerminated()))
        .filter(Objects::nonNull)
        .max(Comparator.comparing(t -> t.getFinishedAt() == null ? "" : t.getFinishedAt()))
        .map(ProcessObservation::describe);
  }

  static String describe(ContainerStateTerminated t) {
    StringBuilder s = new StringBuilder(t.getReason() == null ? "Terminated" : t.getReason())
        .append(" (exit code ").append(t.getExitCode()).append(')');
    if (t.getMessage() != null && !t.getMessage().isBlank()) {
      String m = t.getMessage().strip();
      s.append(": ").append(m.length() > 300 ? "..." + m.substring(m.length() - 300) : m);
    }
    return s.toString();
  }

  private Stream<ContainerStatus> appStatuses() {
    return pods.stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
        .flatMap(p -> p.getStatus().getContainerStatuses().stream())
        .filter(c -> spec.getName().equals(c.getName()));
  }
}
