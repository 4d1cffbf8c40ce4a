package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/**
 * The crash-loop bookkeeping of one pod of a process (spec.restart): what the operator has already counted, so the
 * judgement survives operator restarts. Kept only for live pods that have restarted; at most maxRestarts + 1 times.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodRestarts {
  @JsonPropertyDescription("The pod's name.")
  private String pod;

  @JsonPropertyDescription("Restarts of the process's container in this pod when last counted.")
  private Integer restarts;

  @JsonPropertyDescription("When its latest restarts happened (RFC 3339), oldest first: only those within "
      + "spec.restart.window, at most spec.restart.maxRestarts + 1.")
  private List<String> recent;

  @JsonPropertyDescription("True while the pod is in a crash loop: set when it restarted more than "
      + "spec.restart.maxRestarts times within spec.restart.window, cleared when its container is Ready again.")
  private Boolean crashLoop;

  public PodRestarts() {}

  public PodRestarts(String pod, int restarts, List<String> recent, boolean crashLoop) {
    this.pod = pod;
    this.restarts = restarts;
    this.recent = recent == null || recent.isEmpty() ? null : List.copyOf(recent);
    this.crashLoop = crashLoop ? Boolean.TRUE : null;
  }

  public String getPod() { return pod; }
  public void setPod(String pod) { this.pod = pod; }
  public Integer getRestarts() { return restarts; }
  public void setRestarts(Integer restarts) { this.restarts = restarts; }
  public List<String> getRecent() { return recent; }
  public void setRecent(List<String> recent) { this.recent = recent; }
  public Boolean getCrashLoop() { return crashLoop; }
  public void setCrashLoop(Boolean crashLoop) { this.crashLoop = crashLoop; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PodRestarts p)) return false;
    return Objects.equals(pod, p.pod) && Objects.equals(restarts, p.restarts) && Objects.equals(recent, p.recent)
        && Objects.equals(crashLoop, p.crashLoop);
  }

  @Override
  public int hashCode() { return Objects.hash(pod, restarts, recent, crashLoop); }

  @Override
  public String toString() { return pod + ": " + restarts + " " + recent + (crashLoop != null ? " crashLoop" : ""); }
}
