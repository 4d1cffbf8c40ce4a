package dev.procgroup.api.v1alpha1;

import java.util.List;

/**
 * What the operator puts into every process pod and the user therefore may not use: the hub sidecar's container
 * name, ports and port names, the environment variables it sets, and the writable /tmp. The operator builds the
 * pod from these same constants; the CRD refuses them (see crds/README.md).
 */
public final class Reserved {
  /** The sidecar's container; container names are unique in a pod, so no process may be called this. */
  public static final String HUB_CONTAINER = "procgroup-hub";
  /**
   * The group's hub objects are named {@code <group>-hub}, as a process's are {@code <group>-<process>}: the hub
   * Service would be a process Service's name, so no process may be called this.
   */
  public static final String HUB_NAME = "hub";
  /** The hub API on 127.0.0.1, the peer API and the metrics port: one network namespace per pod, so one owner. */
  public static final int HUB_PORT = 7070;
  public static final int PEER_PORT = 7071;
  public static final int METRICS_PORT = 9464;
  public static final List<Integer> PORTS = List.of(HUB_PORT, PEER_PORT, METRICS_PORT);
  public static final String PORTS_CEL = "[" + HUB_PORT + ", " + PEER_PORT + ", " + METRICS_PORT + "]";
  /** The sidecar's named ports; a Service picks the first container port of a name, which could be the sidecar's. */
  public static final String PEER_PORT_NAME = "hub-peer";
  public static final String METRICS_PORT_NAME = "hub-metrics";
  public static final List<String> PORT_NAMES = List.of(PEER_PORT_NAME, METRICS_PORT_NAME);
  public static final String PORT_NAMES_CEL = "['" + PEER_PORT_NAME + "', '" + METRICS_PORT_NAME + "']";
  /** Every variable the operator sets in a process's container starts with this (PROCGROUP_GROUP, ...). */
  public static final String ENV_PREFIX = "PROCGROUP_";
  /** Always an emptyDir in every process container. */
  public static final String TMP = "/tmp";

  private Reserved() {}
}
