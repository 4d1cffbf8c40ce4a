package dev.procgroup.api.v1alpha1;

/** The string formats the CRD enforces, as the API server's own validation of the generated objects defines them. */
public final class Formats {
  /** An image reference: Kubernetes refuses empty ones and leading or trailing whitespace; inner spaces fail later. */
  public static final String IMAGE = "^\\S+$";
  /** Environment variable names (Kubernetes' C-identifier-like rule, before 1.34 relaxed it). */
  public static final String ENV_NAME = "^[-._a-zA-Z][-._a-zA-Z0-9]*$";
  /** IANA service names: lower case letters, digits, single '-' inside; a letter is required, checked apart. */
  public static final String PORT_NAME = "^[a-z0-9]([a-z0-9]|-[a-z0-9])*$";
  public static final String PROTOCOL = "^(TCP|UDP|SCTP)$";
  public static final String HTTP_SCHEME = "^(HTTP|HTTPS)$";
  public static final String HTTP_HEADER_NAME = "^[-A-Za-z0-9]+$";
  /** A non-negative Kubernetes quantity: 100m, 1.5, 64Mi, 1e3. */
  public static final String QUANTITY = "^\\+?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))"
      + "(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
  /** An absolute path without '.' or '..' segments, empty segments or a trailing '/'. */
  public static final String ABSOLUTE_PATH = "^(/([^/.][^/]*|\\.[^/.][^/]*|\\.\\.[^/]+))+$";
  /** Secret and ConfigMap names. */
  public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  public static final String CONFIG_KEY = "^[-._a-zA-Z0-9]+$";
  /** The pod fields the downward API can put into an environment variable. */
  public static final String FIELD_PATH = "^(metadata\\.(name|namespace|uid|labels\\['[^']+'\\]|annotations\\['[^']+'\\])"
      + "|spec\\.(nodeName|serviceAccountName)|status\\.(hostIP|hostIPs|podIP|podIPs))$";
  public static final String RESOURCE_FIELD = "^(limits|requests)\\.(cpu|memory|ephemeral-storage)$";
  /** A Go-style duration of hours, minutes and seconds; at most 4, 4 and 5 digits, so it cannot overflow. */
  public static final String WINDOW = "^([0-9]{1,4}h)?([0-9]{1,4}m)?([0-9]{1,5}s)?$";

  private Formats() {}
}
