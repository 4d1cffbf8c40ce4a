package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One published entry of spec.services and how many pods serve it now. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceStatus {
  @JsonPropertyDescription("The service's object name (spec.services[].name).")
  private String name;
  @JsonPropertyDescription("The process that publishes it.")
  private String process;
  @JsonPropertyDescription("Live providers: Ready pods of the process. A pod of a process that declares services is "
      + "Ready only while its app publishes all of them (the hub sidecar's readiness).")
  private Integer providers;
  @JsonPropertyDescription("Pods the process should have (its desired replicas).")
  private Integer desired;
  @JsonPropertyDescription("While the service has no live provider: why, as far as the operator can tell.")
  private String message;

  public ServiceStatus() {}

  public ServiceStatus(String name, String process, int providers, int desired, String message) {
    this.name = name;
    this.process = process;
    this.providers = providers;
    this.desired = desired;
    this.message = message;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getProcess() { return process; }
  public void setProcess(String process) { this.process = process; }
  public Integer getProviders() { return providers; }
  public void setProviders(Integer providers) { this.providers = providers; }
  public Integer getDesired() { return desired; }
  public void setDesired(Integer desired) { this.desired = desired; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceStatus s && Objects.equals(name, s.name) && Objects.equals(process, s.process)
        && Objects.equals(providers, s.providers) && Objects.equals(desired, s.desired)
        && Objects.equals(message, s.message);
  }

  @Override
  public int hashCode() { return Objects.hash(name, process, providers, desired); }

  @Override
  public String toString() { return name + "@" + process + " " + providers + "/" + desired; }
}
