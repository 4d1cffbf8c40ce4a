package dev.procgroup.api.v1alpha1;

/**
 * Upper bounds for the numbers and lists of a ProcessGroup. Some values have no limit in Kubernetes, but a group
 * with 5000 replicas of one process, a start order of two billion or a ten-day grace period is a typo, not a plan.
 * List and string bounds also keep the CRD's CEL rules within the API server's cost budget: it estimates each
 * rule's cost from them and refuses a CRD whose rules could cost too much.
 */
public final class Limits {
  public static final int MAX_PROCESSES = 64;
  public static final int MAX_ORDER = 1000;
  public static final int MAX_REPLICAS = 1000;
  public static final int MAX_RESTARTS = 1000;
  /** Seconds; also the bound of every probe's delays and timeouts. */
  public static final int MAX_GRACE_SECONDS = 3600;
  public static final int MAX_PROBE_SECONDS = 3600;
  public static final int MAX_PROBE_THRESHOLD = 100;
  public static final int MAX_ENV = 256;
  public static final int MAX_ENV_NAME = 256;
  public static final int MAX_PORTS = 64;
  /** IANA service names, which Kubernetes requires of container port names. */
  public static final int MAX_PORT_NAME = 15;
  public static final int MAX_PORT = 65535;
  public static final int MAX_COMMAND_ITEMS = 64;
  public static final int MAX_ARGS = 256;
  public static final int MAX_WRITABLE_PATHS = 16;
  public static final int MAX_PATH = 1024;
  public static final int MAX_IMAGE = 512;
  public static final int MAX_SERVICES = 64;
  public static final int MAX_RESOURCES = 16;
  public static final int MAX_QUANTITY = 64;
  public static final int MAX_HEADERS = 32;
  /** DNS subdomains: Secret and ConfigMap names. */
  public static final int MAX_SUBDOMAIN = 253;

  private Limits() {}
}
