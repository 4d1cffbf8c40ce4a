package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProcessGroupStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Pending, Progressing, Running, Degraded, Failed or Terminating.")
  private String phase;

  @JsonPropertyDescription("Ready pods / desired pods over the processes that run (scale: 0 not counted), e.g. 5/6.")
  private String ready;

  @JsonPropertyDescription("Running processes / processes that should run (scale: 0 not counted), e.g. 2/3.")
  private String processesReady;

  @JsonPropertyDescription("What the group is waiting for, or why it is degraded.")
  private String message;

  @JsonPropertyDescription("Ready, Progressing and Degraded, following the Kubernetes API conventions.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("One entry per process, in start order.")
  private List<ProcessStatus> processes = new ArrayList<>();

  @JsonPropertyDescription("One entry per published service of spec.services, with its live providers.")
  private List<ServiceStatus> services;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public String getPhase() { return phase; }
  public void setPhase(String phase) { this.phase = phase; }
  public String getReady() { return ready; }
  public void setReady(String ready) { this.ready = ready; }
  public String getProcessesReady() { return processesReady; }
  public void setProcessesReady(String processesReady) { this.processesReady = processesReady; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public List<ProcessStatus> getProcesses() { return processes; }
  public void setProcesses(List<ProcessStatus> processes) { this.processes = processes; }
  public List<ServiceStatus> getServices() { return services; }
  public void setServices(List<ServiceStatus> services) { this.services = services; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ProcessGroupStatus s)) return false;
    return Objects.equals(observedGeneration, s.observedGeneration) && Objects.equals(phase, s.phase)
        && Objects.equals(ready, s.ready) && Objects.equals(processesReady, s.processesReady)
        && Objects.equals(message, s.message) && Objects.equals(conditions, s.conditions)
        && Objects.equals(processes, s.processes) && Objects.equals(services, s.services);
  }

  @Override
  public int hashCode() { return Objects.hash(observedGeneration, phase, ready, processesReady, message); }
}
