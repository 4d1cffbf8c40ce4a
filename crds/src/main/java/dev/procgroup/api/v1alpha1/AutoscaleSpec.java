package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.min <= self.max", message = "autoscale.min must not be greater than autoscale.max",
    fieldPath = ".min")
public class AutoscaleSpec {
  @Required
  @Min(1)
  @Max(Limits.MAX_REPLICAS)
  @JsonPropertyDescription("Fewest replicas.")
  private Integer min;

  @Required
  @Min(1)
  @Max(Limits.MAX_REPLICAS)
  @JsonPropertyDescription("Most replicas.")
  private Integer max;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Target average CPU utilisation, in percent of the CPU request. Default 80.")
  private Integer targetCPUUtilizationPercentage;

  public AutoscaleSpec() {}
  public AutoscaleSpec(int min, int max) { this.min = min; this.max = max; }

  public Integer getMin() { return min; }
  public void setMin(Integer min) { this.min = min; }
  public Integer getMax() { return max; }
  public void setMax(Integer max) { this.max = max; }
  public Integer getTargetCPUUtilizationPercentage() { return targetCPUUtilizationPercentage; }
  public void setTargetCPUUtilizationPercentage(Integer v) { this.targetCPUUtilizationPercentage = v; }
}
