package dev.procgroup.operator.status;

import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.api.v1alpha1.ServiceSpec;
import dev.procgroup.api.v1alpha1.ServiceStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which published services of spec.services have live providers. A provider is a Ready pod of the service's process:
 * the hub sidecar of a process that declares services is Ready only while its app publishes all of them, so the
 * process's ready count is the count of pods that serve the service now, without asking any sidecar.
 */
final class ServiceStatuses {
  private ServiceStatuses() {}

  /** Null when the group declares no published service (the field stays out of the status). */
  static List<ServiceStatus> of(List<ServiceSpec> services, List<ProcessStatus> processes) {
    if (services == null) return null;
    Map<String, ProcessStatus> byName = processes.stream()
        .collect(Collectors.toMap(ProcessStatus::getName, Function.identity(), (a, b) -> a));
    List<ServiceStatus> out = services.stream().filter(s -> !Boolean.FALSE.equals(s.getPublish()))
        .map(s -> of(s, byName.get(s.getProcess()))).toList();
    return out.isEmpty() ? null : out;
  }

  private static ServiceStatus of(ServiceSpec service, ProcessStatus process) {
    int ready = process == null || process.getReady() == null ? 0 : process.getReady();
    int desired = process == null || process.getDesired() == null ? 0 : process.getDesired();
    return new ServiceStatus(service.getName(), service.getProcess(), ready, desired,
        ready > 0 ? null : noProviderBecause(service, process, desired));
  }

  private static String noProviderBecause(ServiceSpec service, ProcessStatus process, int desired) {
    if (process == null) return "process " + service.getProcess() + " is not in spec.processes";
    if (desired == 0) {
      return "process " + service.getProcess() + " has no pods (" + process.getPhase() + ")";
    }
    return "no Ready pod of process " + service.getProcess() + " (" + process.getPhase() + "); a pod turns Ready once "
        + "its app publishes " + service.getName();
  }
}
