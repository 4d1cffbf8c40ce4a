package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestartPolicySpec {
  public static final int DEFAULT_MAX_RESTARTS = 5;
  public static final String DEFAULT_WINDOW = "10m";

  @Min(0)
  @Max(Limits.MAX_RESTARTS)
  @JsonPropertyDescription("Restarts of one pod allowed within window (sliding) before its process is in a "
      + "crash loop and the group Degraded. Default 5.")
  private Integer maxRestarts;

  @Pattern(Formats.WINDOW)
  @ValidationRule(value = "self.matches('[1-9]')",
      message = "spec.restart.window must be longer than zero, e.g. 90s, 10m or 1h30m")
  @JsonPropertyDescription("The window, as a Go-style duration: 90s, 10m, 1h30m. Default 10m.")
  private String window;

  public RestartPolicySpec() {}
  public RestartPolicySpec(int maxRestarts, String window) { this.maxRestarts = maxRestarts; this.window = window; }

  public Integer getMaxRestarts() { return maxRestarts; }
  public void setMaxRestarts(Integer maxRestarts) { this.maxRestarts = maxRestarts; }
  public String getWindow() { return window; }
  public void setWindow(String window) { this.window = window; }
}
