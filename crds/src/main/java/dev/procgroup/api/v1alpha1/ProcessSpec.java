package dev.procgroup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.scale) && has(self.autoscale))",
    message = "set either scale or autoscale, not both", fieldPath = ".autoscale")
@ValidationRule(value = "!has(self.argv) || size(self.argv) == 0 || (has(self.entry) && size(self.entry) > 0)",
    message = "argv (runtime arguments) needs entry: they are placed after entry's first element, the interpreter",
    fieldPath = ".argv")
@ValidationRule(value = "!has(self.expose) || self.expose == 'None' || (has(self.ports) && size(self.ports) > 0)",
    message = "expose ClusterIP or Headless needs ports: the process's Service serves them (set ports, or expose: None)",
    fieldPath = ".ports", reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.ports) || size(self.ports) < 2 || (has(self.expose) && self.expose == 'None')"
    + " || self.ports.all(p, has(p.name) && size(p.name) > 0)",
    message = "with more than one entry in ports every port needs a name: the process's Service names its ports "
        + "after them (or set expose: None)",
    fieldPath = ".ports", reason = "FieldValueRequired")
@ValidationRule(value = ProcessSpec.AUTOSCALE_NEEDS_CPU_RULE, message = ProcessSpec.AUTOSCALE_NEEDS_CPU_MESSAGE,
    fieldPath = ".resources", reason = "FieldValueRequired")
public class ProcessSpec {
  static final String AUTOSCALE_NEEDS_CPU_RULE = "!has(self.autoscale) || (has(self.resources) && ("
      + "(has(self.resources.requests) && 'cpu' in self.resources.requests)"
      + " || (has(self.resources.limits) && 'cpu' in self.resources.limits)))";
  static final String AUTOSCALE_NEEDS_CPU_MESSAGE = "autoscale needs resources.requests.cpu (or limits.cpu, which the "
      + "request defaults to): the autoscaler's target is a share of the CPU request";
  static final String UNIQUE_PORT_NAMES_RULE =
      "self.all(p, !has(p.name) || self.exists_one(q, has(q.name) && q.name == p.name))";
  /** Kubernetes keys container ports by number and protocol (TCP when unset). */
  static final String UNIQUE_PORTS_RULE = "self.all(p, self.exists_one(q, q.containerPort == p.containerPort"
      + " && (has(q.protocol) ? q.protocol : 'TCP') == (has(p.protocol) ? p.protocol : 'TCP')))";


  /** Process names are DNS-1035 labels (the Service's name rule), so {@code <group>-<process>} can be one too. */
  public static final String NAME_PATTERN = Dns1035Label.PATTERN;

  @Required
  @Size(min = 1, max = 40)
  @Pattern(NAME_PATTERN)
  @ValidationRule(value = "self != '" + Reserved.HUB_CONTAINER + "'",
      message = "spec.processes[].name " + Reserved.HUB_CONTAINER + " is the hub sidecar's container name")
  @ValidationRule(value = "self != '" + Reserved.HUB_NAME + "'",
      message = "spec.processes[].name " + Reserved.HUB_NAME + " is reserved: the group's hub Service is <group>-"
          + Reserved.HUB_NAME)
  @JsonPropertyDescription("Process name: a DNS-1123 label of at most 40 characters (lower case letters, digits, '-'), "
      + "unique in the group, not procgroup-hub or hub (the sidecar's container, the group's hub Service). The "
      + "Deployment is named <group>-<name> and the container <name>.")
  private String name;

  @Min(0)
  @Max(Limits.MAX_ORDER)
  @JsonPropertyDescription("Start order (Pandora's .order()). Lower orders start first; processes of equal order start "
      + "together; order k starts only when every lower order is Ready. Stopped in reverse. Default 0.")
  private Integer order;

  @Min(0)
  @Max(Limits.MAX_REPLICAS)
  @JsonPropertyDescription("Number of replicas (Pandora's .scale(n), PM2's instances). Default 1. Not with autoscale.")
  private Integer scale;

  @JsonPropertyDescription("Scale with CPU load through a HorizontalPodAutoscaler (Pandora's scale('auto'), PM2's "
      + "instances: max), honouring the container's CPU limit. Not with scale.")
  private AutoscaleSpec autoscale;

  @Size(min = 1, max = Limits.MAX_IMAGE)
  @Pattern(Formats.IMAGE)
  @JsonPropertyDescription("Container image; defaults to spec.image.")
  private String image;

  @JsonPropertyDescription("The command (Pandora's entry, PM2's script), e.g. [node, server.js]. "
      + "Defaults to the image's entrypoint.")
  @Size(max = Limits.MAX_COMMAND_ITEMS)
  @ValidationRule(value = "size(self) == 0 || size(self[0]) > 0",
      message = "entry[0], the command, must not be empty")
  private List<String> entry;

  @JsonPropertyDescription("Runtime arguments (Pandora's nodeArgs/argv, PM2's node_args), placed right after the "
      + "interpreter, entry[0]: [node, --max-old-space-size=512, server.js].")
  @Size(max = Limits.MAX_COMMAND_ITEMS)
  private List<String> argv;

  @JsonPropertyDescription("Program arguments (Pandora's args, PM2's args), placed after the whole entry.")
  @Size(max = Limits.MAX_ARGS)
  private List<String> args;

  @Size(max = Limits.MAX_ENV)
  @JsonPropertyDescription("Environment of this process; merged over the group's env. Names are unique; PROCGROUP_* "
      + "are the operator's.")
  private List<EnvVar> env;

  @Size(max = Limits.MAX_PORTS) // bounds the cost of the CEL rules over ports, which the apiserver estimates
  @ValidationRule(value = UNIQUE_PORT_NAMES_RULE, message = "spec.processes[].ports[].name must be unique")
  @ValidationRule(value = UNIQUE_PORTS_RULE,
      message = "spec.processes[].ports[] must be unique by containerPort and protocol")
  @JsonPropertyDescription("Container ports, e.g. [{name: http, containerPort: 5511}]. With more than one port, each "
      + "needs a name (the process's Service uses it). See expose. 7070, 7071 and 9464 are the hub sidecar's.")
  private List<ContainerPort> ports;

  @JsonPropertyDescription("The process's own Service, so other workloads reach it by DNS name: <group>-<process>"
      + "[.<namespace>.svc], selecting only the Ready pods of this process, with its ports by name (port = "
      + "containerPort, targetPort = the port's name, or its number when unnamed). ClusterIP: one virtual IP, load-balanced over the Ready pods "
      + "(the default when ports are set); Headless: clusterIP None, DNS answers with the Ready pods' IPs; None: no "
      + "Service (the default without ports). ClusterIP and Headless need ports.")
  private Expose expose;

  @JsonPropertyDescription("Readiness probe (PM2's wait_ready/listen_timeout). The next order starts when every pod "
      + "of this process is Ready.")
  private Probe readiness;

  @JsonPropertyDescription("Liveness probe: the kubelet restarts the container when it fails.")
  private Probe liveness;

  @JsonPropertyDescription("Startup probe, for slow starters.")
  private Probe startup;

  @JsonPropertyDescription("CPU and memory requests and limits (PM2's max_memory_restart is the memory limit).")
  private ResourceRequirements resources;

  @Min(0)
  @Max(Limits.MAX_GRACE_SECONDS)
  @JsonPropertyDescription("Seconds the process gets to stop after SIGTERM (PM2's kill_timeout). Default 30.")
  private Long terminationGracePeriodSeconds;

  @JsonPropertyDescription("Mount a writable emptyDir at each of these paths (the root filesystem is read-only). "
      + "/tmp is always writable.")
  @Size(max = Limits.MAX_WRITABLE_PATHS)
  private List<String> writablePaths;

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public Integer getOrder() { return order; }
  public void setOrder(Integer order) { this.order = order; }
  public Integer getScale() { return scale; }
  public void setScale(Integer scale) { this.scale = scale; }
  public AutoscaleSpec getAutoscale() { return autoscale; }
  public void setAutoscale(AutoscaleSpec autoscale) { this.autoscale = autoscale; }
  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public List<String> getEntry() { return entry; }
  public void setEntry(List<String> entry) { this.entry = entry; }
  public List<String> getArgv() { return argv; }
  public void setArgv(List<String> argv) { this.argv = argv; }
  public List<String> getArgs() { return args; }
  public void setArgs(List<String> args) { this.args = args; }
  public List<EnvVar> getEnv() { return env; }
  public void setEnv(List<EnvVar> env) { this.env = env; }
  public List<ContainerPort> getPorts() { return ports; }
  public void setPorts(List<ContainerPort> ports) { this.ports = ports; }
  public Expose getExpose() { return expose; }
  public void setExpose(Expose expose) { this.expose = expose; }
  public Probe getReadiness() { return readiness; }
  public void setReadiness(Probe readiness) { this.readiness = readiness; }
  public Probe getLiveness() { return liveness; }
  public void setLiveness(Probe liveness) { this.liveness = liveness; }
  public Probe getStartup() { return startup; }
  public void setStartup(Probe startup) { this.startup = startup; }
  public ResourceRequirements getResources() { return resources; }
  public void setResources(ResourceRequirements resources) { this.resources = resources; }
  public Long getTerminationGracePeriodSeconds() { return terminationGracePeriodSeconds; }
  public void setTerminationGracePeriodSeconds(Long s) { this.terminationGracePeriodSeconds = s; }
  public List<String> getWritablePaths() { return writablePaths; }
  public void setWritablePaths(List<String> writablePaths) { this.writablePaths = writablePaths; }

  /** The order, 0 when unset. */
  public int effectiveOrder() { return order == null ? 0 : order; }

  /** The expose in force: as set, else ClusterIP with ports and None without (the CRD refuses expose without ports). */
  public Expose effectiveExpose() {
    if (ports == null || ports.isEmpty()) return Expose.None;
    return expose == null ? Expose.ClusterIP : expose;
  }
}
