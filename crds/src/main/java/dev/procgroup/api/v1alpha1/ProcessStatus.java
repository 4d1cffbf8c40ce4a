package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProcessStatus {
  private String name;
  private Integer order;
  @JsonPropertyDescription("Replicas wanted (scale, or the autoscaler's current choice).")
  private Integer desired;
  @JsonPropertyDescription("Replicas Ready and up to date.")
  private Integer ready;
  @JsonPropertyDescription("Container restarts over the process's current pods.")
  private Integer restarts;
  @JsonPropertyDescription("Waiting (a change waits for a lower order), Starting, Running, Updating, Unavailable "
      + "(was running, no replica available now), Failing, CrashLoop, Stopping or Stopped (scale: 0).")
  private String phase;
  @JsonPropertyDescription("Why the process cannot run, while it cannot: ImagePullFailed, ConfigError, Unschedulable, "
      + "PodsNotCreated, OOMKilled, ProgressDeadlineExceeded, CrashLoop or Unavailable.")
  private String reason;
  @JsonPropertyDescription("The pod's or Deployment's own message for reason, and where it was seen.")
  private String message;
  @JsonPropertyDescription("The last termination of the process's container: reason, exit code and message.")
  private String lastTermination;
  @JsonPropertyDescription("Per pod that has restarted, the restarts counted for spec.restart (a sliding window per "
      + "pod); bookkeeping that survives operator restarts.")
  private List<PodRestarts> podRestarts;
  @JsonPropertyDescription("The DNS name of the process's Service, <group>-<process>.<namespace>.svc, while it has one "
      + "(see spec.processes[].expose).")
  private String service;

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public Integer getOrder() { return order; }
  public void setOrder(Integer order) { this.order = order; }
  public Integer getDesired() { return desired; }
  public void setDesired(Integer desired) { this.desired = desired; }
  public Integer getReady() { return ready; }
  public void setReady(Integer ready) { this.ready = ready; }
  public Integer getRestarts() { return restarts; }
  public void setRestarts(Integer restarts) { this.restarts = restarts; }
  public String getPhase() { return phase; }
  public void setPhase(String phase) { this.phase = phase; }
  public String getReason() { return reason; }
  public void setReason(String reason) { this.reason = reason; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public String getLastTermination() { return lastTermination; }
  public void setLastTermination(String lastTermination) { this.lastTermination = lastTermination; }
  public List<PodRestarts> getPodRestarts() { return podRestarts; }
  public void setPodRestarts(List<PodRestarts> podRestarts) { this.podRestarts = podRestarts; }
  public String getService() { return service; }
  public void setService(String service) { this.service = service; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ProcessStatus s)) return false;
    return Objects.equals(name, s.name) && Objects.equals(order, s.order) && Objects.equals(desired, s.desired)
        && Objects.equals(ready, s.ready) && Objects.equals(restarts, s.restarts) && Objects.equals(phase, s.phase)
        && Objects.equals(reason, s.reason) && Objects.equals(message, s.message)
        && Objects.equals(lastTermination, s.lastTermination)
        && Objects.equals(podRestarts, s.podRestarts)
        && Objects.equals(service, s.service);
  }

  @Override
  public int hashCode() { return Objects.hash(name, order, desired, ready, restarts, phase); }
}
