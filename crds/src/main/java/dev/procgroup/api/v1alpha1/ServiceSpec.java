package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceSpec {
  @Required
  @Size(min = 1, max = 128)
  @Pattern("^[A-Za-z_$][A-Za-z0-9_$.-]*$")
  @JsonPropertyDescription("The object name other processes call, e.g. pageSnapshot (getProxy('pageSnapshot')).")
  private String name;

  @Required
  @Size(min = 1, max = 40)
  @JsonPropertyDescription("The process that publishes it; must be one of spec.processes.")
  private String process;

  @JsonPropertyDescription("Publish to the whole group through the hub (default true).")
  private Boolean publish;

  public ServiceSpec() {}
  public ServiceSpec(String name, String process) { this.name = name; this.process = process; }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getProcess() { return process; }
  public void setProcess(String process) { this.process = process; }
  public Boolean getPublish() { return publish; }
  public void setPublish(Boolean publish) { this.publish = publish; }
}
