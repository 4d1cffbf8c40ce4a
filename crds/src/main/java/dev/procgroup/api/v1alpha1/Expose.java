package dev.procgroup.api.v1alpha1;

/**
 * How a process is reachable inside the cluster: through a Service of its own, named {@code <group>-<process>}.
 * The constants are spelled as the API values (and Kubernetes' own Service terms) because they are serialised
 * by name.
 */
public enum Expose {
  /** A Service with one virtual IP that load-balances over the process's Ready pods. */
  ClusterIP,
  /** A headless Service ({@code clusterIP: None}): DNS answers with the Ready pods' own IPs. */
  Headless,
  /** No Service. */
  None
}
