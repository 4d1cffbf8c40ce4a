package dev.procgroup.api.v1alpha1;

/**
 * The rule a Service name must follow (Kubernetes' DNS-1035 label: it becomes a DNS name, so it starts with a
 * letter). Written once here and generated into the CRD's validation rules.
 */
public final class Dns1035Label {
  public static final int MAX_LENGTH = 63;
  public static final String PATTERN = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

  private Dns1035Label() {}
}
