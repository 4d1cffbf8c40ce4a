package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.image) || self.processes.all(p, has(p.image))",
    message = "spec.image must be set, or every entry of spec.processes must set its own image",
    fieldPath = ".image", reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.services) || self.services.all(s, self.processes.exists(p, p.name == s.process))",
    message = "spec.services[].process must name a process listed in spec.processes",
    fieldPath = ".services")
@ValidationRule(value = ProcessGroupSpec.RESERVED_PORTS_RULE, message = ProcessGroupSpec.RESERVED_PORTS_MESSAGE,
    fieldPath = ".processes")
@ValidationRule(value = "!has(self.services) || size(self.services) == 0 || !has(self.hub) || self.hub",
    message = "spec.services are published through the hub sidecar, which spec.hub: false turns off",
    fieldPath = ".services")
public class ProcessGroupSpec {
  /** The sidecar's ports are taken in every pod of a group with the hub. */
  static final String RESERVED_PORTS_RULE = "(has(self.hub) && !self.hub) || self.processes.all(p, !has(p.ports)"
      + " || p.ports.all(q, !(q.containerPort in " + Reserved.PORTS_CEL + ")))";
  static final String RESERVED_PORTS_MESSAGE = "spec.processes[].ports[].containerPort " + Reserved.HUB_PORT + ", "
      + Reserved.PEER_PORT + " and " + Reserved.METRICS_PORT + " belong to the hub sidecar in every pod (hub API, "
      + "peers, metrics): use another port, or set spec.hub: false";


  @JsonPropertyDescription("Default container image for every process that does not set its own.")
  @Size(min = 1, max = Limits.MAX_IMAGE)
  @io.fabric8.generator.annotation.Pattern(Formats.IMAGE)
  private String image;

  @JsonPropertyDescription("Image pull policy for every process: Always, IfNotPresent or Never. Defaults to IfNotPresent.")
  @io.fabric8.generator.annotation.Pattern("^(Always|IfNotPresent|Never)$")
  private String imagePullPolicy;

  @JsonPropertyDescription("Environment for every process of the group; a process's own env wins on equal names "
      + "(Pandora's .env(), PM2's env). Names are unique; PROCGROUP_* are the operator's.")
  @Size(max = Limits.MAX_ENV)
  private List<EnvVar> env;

  @Required
  @Size(min = 1, max = Limits.MAX_PROCESSES)
  @JsonPropertyDescription("The processes of the group (Pandora's pandora.process(name) or fork(), PM2's apps). "
      + "Names are unique. Lower orders start first; each order waits until every lower order is Ready.")
  @ValidationRule(value = "self.all(p, self.exists_one(q, q.name == p.name))",
      message = "process names must be unique in spec.processes")
  private List<ProcessSpec> processes = new ArrayList<>();

  @Size(max = Limits.MAX_SERVICES)
  @JsonPropertyDescription("Services published to the IPC hub by a process (Pandora's "
      + "pandora.service(name).process(p).publish()). Objects can also be published at run time with publishObject.")
  private List<ServiceSpec> services;

  @JsonPropertyDescription("Crash-loop policy (PM2's max_restarts/min_uptime): when a process restarts more than "
      + "maxRestarts times within window, the group is Degraded with the process's last termination message.")
  private RestartPolicySpec restart;

  @JsonPropertyDescription("Turns the hub sidecar off for this group (it is on by default when the operator injects it).")
  private Boolean hub;

  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public String getImagePullPolicy() { return imagePullPolicy; }
  public void setImagePullPolicy(String imagePullPolicy) { this.imagePullPolicy = imagePullPolicy; }
  public List<EnvVar> getEnv() { return env; }
  public void setEnv(List<EnvVar> env) { this.env = env; }
  public List<ProcessSpec> getProcesses() { return processes; }
  public void setProcesses(List<ProcessSpec> processes) { this.processes = processes; }
  public List<ServiceSpec> getServices() { return services; }
  public void setServices(List<ServiceSpec> services) { this.services = services; }
  public RestartPolicySpec getRestart() { return restart; }
  public void setRestart(RestartPolicySpec restart) { this.restart = restart; }
  public Boolean getHub() { return hub; }
  public void setHub(Boolean hub) { this.hub = hub; }
}
