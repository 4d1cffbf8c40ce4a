package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** Label and annotation keys, and the label sets every object the operator makes carries. */
public final class Labels {
  public static final String GROUP = ProcessGroup.GROUP + "/group";
  public static final String PROCESS = ProcessGroup.GROUP + "/process";
  public static final String ORDER = ProcessGroup.GROUP + "/order";
  public static final String APPLIED_HASH = ProcessGroup.GROUP + "/applied-hash";
  /** On Deployments whose replicas an autoscaler owns (for selection and for readers of the object). */
  public static final String AUTOSCALED = ProcessGroup.GROUP + "/autoscaled";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "procgroup-operator";
  public static final String FIELD_MANAGER = OPERATOR;
  /** Selects every object the operator made (what its informers watch). */
  public static final String OWNED_SELECTOR = GROUP + "," + MANAGED_BY + "=" + OPERATOR;
  /** What the group's hub Service carries beside the owned labels: it is no process's. */
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String HUB_COMPONENT = "hub";

  private Labels() {}

  /** Selects a process's pods; also the Deployment's (immutable) selector. */
  public static Map<String, String> selector(String group, String process) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(GROUP, group);
    m.put(PROCESS, process);
    return m;
  }

  /** Labels of a process's pods. */
  public static Map<String, String> pod(String group, String process) {
    Map<String, String> m = selector(group, process);
    m.put("app.kubernetes.io/name", process);
    m.put("app.kubernetes.io/instance", group);
    m.put("app.kubernetes.io/part-of", group);
    m.put(MANAGED_BY, OPERATOR);
    return m;
  }

  /** Labels of a process's Deployment and Service. */
  public static Map<String, String> process(String group, ProcessSpec p) {
    Map<String, String> m = owned(group);
    m.put(PROCESS, p.getName());
    m.put(ORDER, String.valueOf(p.effectiveOrder()));
    return m;
  }

  /** Labels of the group's hub Service. */
  public static Map<String, String> hubService(String group) {
    Map<String, String> m = owned(group);
    m.put(COMPONENT, HUB_COMPONENT);
    return m;
  }

  /** Labels of the objects owned by a group (Deployments carry the order too: the pods don't, so that changing
   *  an order does not restart them). */
  public static Map<String, String> owned(String group) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(GROUP, group);
    m.put("app.kubernetes.io/instance", group);
    m.put(MANAGED_BY, OPERATOR);
    return m;
  }
}
