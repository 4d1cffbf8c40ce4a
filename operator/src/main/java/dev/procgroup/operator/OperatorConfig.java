package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.Reserved;
import dev.procgroup.operator.identity.IdentitySettings;
import dev.procgroup.operator.identity.SidecarIdentity;
import dev.procgroup.operator.status.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The operator's settings, read once from the environment (the Helm chart sets them; see operator/README.md). */
public record OperatorConfig(
    Set<String> watchNamespaces,
    int httpPort,
    boolean leaderElection,
    String leaderElectionNamespace,
    SidecarConfig sidecar,
    boolean jsonLogs,
    InformerLimits informers,
    Duration stopTimeout,
    NetworkPolicyConfig networkPolicy) {
  /** How long a deleted group's order may keep pods that do not go away (a dead node) before the next order stops. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofMinutes(5);

  public OperatorConfig(Set<String> watchNamespaces, int httpPort, boolean leaderElection,
      String leaderElectionNamespace, SidecarConfig sidecar, boolean jsonLogs) {
    this(watchNamespaces, httpPort, leaderElection, leaderElectionNamespace, sidecar, jsonLogs,
        InformerLimits.defaults(), DEFAULT_STOP_TIMEOUT, NetworkPolicyConfig.defaults());
  }

  public OperatorConfig(Set<String> watchNamespaces, int httpPort, boolean leaderElection,
      String leaderElectionNamespace, SidecarConfig sidecar, boolean jsonLogs, InformerLimits informers,
      Duration stopTimeout) {
    this(watchNamespaces, httpPort, leaderElection, leaderElectionNamespace, sidecar, jsonLogs, informers,
        stopTimeout, NetworkPolicyConfig.defaults());
  }

  /**
   * A NetworkPolicy per group (on by default): the hub's peer port from the group's pods, the metrics port from
   * {@code metricsNamespaces}, the processes' declared ports from anywhere, nothing else.
   */
  public record NetworkPolicyConfig(boolean enabled, Set<String> metricsNamespaces) {
    public static NetworkPolicyConfig defaults() {
      return new NetworkPolicyConfig(true, Set.of("monitoring"));
    }
  }

  /**
   * How long the informers may take to list and watch at start-up before the process exits (1), and how long one
   * may stay without its watch later before {@code /healthz} fails.
   */
  public record InformerLimits(Duration startup, Duration stall) {
    public static InformerLimits defaults() {
      return new InformerLimits(Duration.ofMinutes(2), Duration.ofMinutes(2));
    }
  }

  /**
   * How the hub sidecar is injected into process pods. {@code identity}: peer mTLS with certificates from the
   * operator's issuer (sidecar/SECURITY.md); null: the group's bearer token on a plaintext peer port.
   * {@code otlpEndpoint}: where the sidecars send their spans (OTLP/HTTP, the chart's {@code tracing.otlpEndpoint});
   * null: no spans, the trace context is only forwarded.
   */
  public record SidecarConfig(boolean enabled, String image, String cpuRequest, String cpuLimit,
      String memoryRequest, String memoryLimit, int hubPort, int peerPort, int metricsPort,
      SidecarIdentity identity, String otlpEndpoint) {

    public SidecarConfig(boolean enabled, String image, String cpuRequest, String cpuLimit, String memoryRequest,
        String memoryLimit, int hubPort, int peerPort, int metricsPort) {
      this(enabled, image, cpuRequest, cpuLimit, memoryRequest, memoryLimit, hubPort, peerPort, metricsPort, null, null);
    }

    public SidecarConfig withIdentity(SidecarIdentity id) {
      return new SidecarConfig(enabled, image, cpuRequest, cpuLimit, memoryRequest, memoryLimit, hubPort, peerPort,
          metricsPort, id, otlpEndpoint);
    }

    public SidecarConfig withOtlpEndpoint(String endpoint) {
      return new SidecarConfig(enabled, image, cpuRequest, cpuLimit, memoryRequest, memoryLimit, hubPort, peerPort,
          metricsPort, identity, endpoint);
    }

    public static SidecarConfig defaults() {
      return new SidecarConfig(true, "docker.io/procgroup/sidecar:0.1.0", "50m", null, "64Mi", "128Mi",
          Reserved.HUB_PORT, Reserved.PEER_PORT, Reserved.METRICS_PORT);
    }

    public SidecarConfig disabled() {
      return new SidecarConfig(false, image, cpuRequest, cpuLimit, memoryRequest, memoryLimit, hubPort, peerPort,
          metricsPort, identity, otlpEndpoint);
    }
  }

  public static OperatorConfig defaults() {
    return new OperatorConfig(Set.of(), 8080, false, null, SidecarConfig.defaults(), true);
  }

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    SidecarConfig d = SidecarConfig.defaults();
    SidecarConfig sidecar = new SidecarConfig(
        bool(env, "PROCGROUP_SIDECAR_ENABLED", d.enabled()),
        env.getOrDefault("PROCGROUP_SIDECAR_IMAGE", d.image()),
        blankToNull(env.getOrDefault("PROCGROUP_SIDECAR_CPU_REQUEST", d.cpuRequest())),
        blankToNull(env.getOrDefault("PROCGROUP_SIDECAR_CPU_LIMIT", "")),
        blankToNull(env.getOrDefault("PROCGROUP_SIDECAR_MEMORY_REQUEST", d.memoryRequest())),
        blankToNull(env.getOrDefault("PROCGROUP_SIDECAR_MEMORY_LIMIT", d.memoryLimit())),
        integer(env, "PROCGROUP_SIDECAR_HUB_PORT", d.hubPort()),
        integer(env, "PROCGROUP_SIDECAR_PEER_PORT", d.peerPort()),
        integer(env, "PROCGROUP_SIDECAR_METRICS_PORT", d.metricsPort()))
        .withOtlpEndpoint(blankToNull(env.getOrDefault("PROCGROUP_SIDECAR_OTLP_ENDPOINT", "")));
    IdentitySettings identity = IdentitySettings.fromEnvironment(env);
    if (identity != null) sidecar = sidecar.withIdentity(identity.forSidecars());
    Set<String> namespaces = list(env.getOrDefault("PROCGROUP_WATCH_NAMESPACES", ""));
    return new OperatorConfig(
        namespaces,
        integer(env, "PROCGROUP_HTTP_PORT", 8080),
        bool(env, "PROCGROUP_LEADER_ELECTION", false),
        env.getOrDefault("PROCGROUP_LEADER_ELECTION_NAMESPACE", env.get("POD_NAMESPACE")),
        sidecar,
        !"text".equalsIgnoreCase(env.getOrDefault("PROCGROUP_LOG_FORMAT", "json")),
        new InformerLimits(duration(env, "PROCGROUP_STARTUP_TIMEOUT", InformerLimits.defaults().startup()),
            duration(env, "PROCGROUP_INFORMER_STALL_LIMIT", InformerLimits.defaults().stall())),
        duration(env, "PROCGROUP_STOP_TIMEOUT", DEFAULT_STOP_TIMEOUT),
        new NetworkPolicyConfig(bool(env, "PROCGROUP_NETWORK_POLICY", true),
            list(env.getOrDefault("PROCGROUP_NETWORK_POLICY_METRICS_NAMESPACES", "monitoring"))));
  }

  private static boolean bool(Map<String, String> env, String key, boolean fallback) {
    String v = env.get(key);
    if (v == null || v.isBlank()) return fallback;
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) return Boolean.parseBoolean(v);
    throw new IllegalArgumentException(key + " must be true or false, was: " + v);
  }

  private static int integer(Map<String, String> env, String key, int fallback) {
    String v = env.get(key);
    if (v == null || v.isBlank()) return fallback;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, was: " + v);
    }
  }

  private static Duration duration(Map<String, String> env, String key, Duration fallback) {
    try {
      Duration d = Durations.parse(env.get(key), fallback);
      if (d.isZero()) throw new IllegalArgumentException("zero");
      return d;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException(key + " must be a positive duration such as 90s or 2m, was: " + env.get(key));
    }
  }

  /** A comma-separated list, blanks dropped. */
  private static Set<String> list(String v) {
    return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }
}
