package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestartPolicySpec {
  public static final int DEFAULT_MAX_RESTARTS = 5;
  public static final String DEFAULT_WINDOW = "10m";

  @Min(0)
  @JsonPropertyDescription("Restarts of one process allowed within window before the group is Degraded. Default 5.")
  private Integer maxRestarts;

  @Pattern("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$")
  @JsonPropertyDescription("The window, as a Go-style duration: 90s, 10m, 1h30m. Default 10m.")
  private String window;

  public RestartPolicySpec() {}
  public RestartPolicySpec(int maxRestarts, String window) { this.maxRestarts = maxRestarts; this.window = window; }

  public Integer getMaxRestarts() { return maxRestarts; }
  public void setMaxRestarts(Integer maxRestarts) { this.maxRestarts = maxRestarts; }
  public String getWindow() { return window; }
  public void setWindow(String window) { this.window = window; }
}
