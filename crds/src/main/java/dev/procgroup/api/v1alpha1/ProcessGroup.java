package dev.procgroup.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A group of processes run together, the way a Pandora.js {@code procfile.js} describes an application:
 * each process becomes a Deployment, started in ascending {@code order} and stopped in reverse.
 */
@Group(ProcessGroup.GROUP)
@Version(ProcessGroup.VERSION)
@Plural("procgroups")
@Singular("procgroup")
@ShortNames({"pg", "processgroup"})
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.ready", type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Ready pods / desired pods over the processes that run (scale: 0 not counted)")
@AdditionalPrinterColumn(name = "Processes", jsonPath = ".status.processesReady", type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Running processes / processes that should run (scale: 0 not counted)")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Pending, Progressing, Running, Degraded, Failed or Terminating")
@AdditionalPrinterColumn(name = "Generation", jsonPath = ".metadata.generation",
    type = AdditionalPrinterColumn.Type.INTEGER, getDescription = "The spec's generation, counted by the API server")
@AdditionalPrinterColumn(name = "Observed", jsonPath = ".status.observedGeneration",
    type = AdditionalPrinterColumn.Type.INTEGER, getDescription = "The generation the status describes; behind "
        + "Generation, the status is stale: the operator is not running, not leading, or has not caught up")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.message", type = AdditionalPrinterColumn.Type.STRING,
    priority = 1, getDescription = "What the group is waiting for, or why it is degraded")
@ValidationRule(value = ProcessGroup.SERVICE_NAME_RULE, message = ProcessGroup.SERVICE_NAME_MESSAGE,
    fieldPath = ".spec.processes")
public class ProcessGroup extends CustomResource<ProcessGroupSpec, ProcessGroupStatus> implements Namespaced {
  public static final String GROUP = "procgroup.dev";
  public static final String VERSION = "v1alpha1";
  /** Set this annotation to a new value (a timestamp) for an ordered rolling restart of every process. */
  public static final String RESTARTED_AT_ANNOTATION = GROUP + "/restartedAt";

  /**
   * Every process that gets a Service (ports, and expose not None) needs {@code <group>-<process>} to be a valid
   * Service name. On the CRD's root, because only there may CEL read {@code metadata.name}. A messageExpression
   * naming the refused Service would help, but the apiserver estimates even {@code filter(...)[0]} here at over
   * 100 times its cost budget and refuses the CRD.
   */
  static final String SERVICE_NAME_OK = "(!has(p.ports) || size(p.ports) == 0 || (has(p.expose) && p.expose == 'None')"
      + " || (size(self.metadata.name + '-' + p.name) <= " + Dns1035Label.MAX_LENGTH
      + " && (self.metadata.name + '-' + p.name).matches('" + Dns1035Label.PATTERN + "')))";
  static final String SERVICE_NAME_RULE = "self.spec.processes.all(p, " + SERVICE_NAME_OK + ")";
  static final String SERVICE_NAME_MESSAGE = "metadata.name + '-' + spec.processes[].name names the process's "
      + "Service (expose): it must be a DNS-1035 label (lower case letters, digits and '-', starting with a letter) of "
      + "at most " + Dns1035Label.MAX_LENGTH + " characters; shorten the group or process name, or set expose: None";
}
