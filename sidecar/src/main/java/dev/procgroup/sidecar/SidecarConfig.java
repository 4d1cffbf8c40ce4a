package dev.procgroup.sidecar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the sidecar reads from its environment, in one immutable value. Production gets these from the
 * operator (see PROTOCOL.md "What the operator gives the sidecar"); tests build one with {@link Builder}.
 */
public final class SidecarConfig {

  /** How the sidecar finds its peers. */
  public enum DiscoveryMode { KUBERNETES, STATIC }

  /**
   * Where the peer certificate comes from (SECURITY.md): the issuer's URL, the CA bundle (PEM; the issuer's serving
   * certificate and every peer's chain to it), the projected ServiceAccount token file (audience
   * {@code procgroup-identity}) and the trust domain of the SPIFFE IDs.
   */
  public record IdentitySettings(String issuerUrl, String caPem, Path tokenFile, String trustDomain) {}

  /** A peer named up front: for benchmarks and tests without an apiserver. */
  public record StaticPeer(String pod, String address) {}

  public final String group;
  public final String process;
  public final String namespace;
  public final String podName;
  public final String podIp;
  public final String hubToken;
  /** Where {@link #hubToken} came from (re-read for changes: PeerToken); null when given directly. */
  public final Path hubTokenFile;
  public final String hubHost;
  public final int hubPort;
  public final String peerHost;
  public final int peerPort;
  public final String metricsHost;
  public final int metricsPort;
  public final int maxBodyBytes;
  public final DiscoveryMode discoveryMode;
  public final List<StaticPeer> staticPeers;
  public final KubeAccess kube;
  /** The group's headless hub Service, whose EndpointSlices list the peers (Kubernetes discovery). */
  public final String hubService;
  /**
   * Tests only (no environment variable): hosts-file lines for the sidecar's resolver, so that several sidecars on
   * loopback can be peers in EndpointSlices, which refuse loopback addresses (FQDN slices name them instead).
   */
  public final String extraHosts;
  /** Pinned app pid (tests/bench); 0 = find the app processes in the shared PID namespace. */
  public final long appPid;
  /** "auto" (on when PID 1 is the pause process), "on" or "off". */
  public final String appMetrics;
  /** Timeouts and caps of the ports (README.md "Limits"). */
  public final Limits limits;
  /** Peer mTLS when set (production); null: plaintext peer port with the bearer token (tests, benchmarks). */
  public final IdentitySettings identity;
  /** The group's spec.services: which process may publish each declared object. */
  final DeclaredServices declaredServices;
  /** OTLP/HTTP endpoint for the sidecar's spans ({@code PROCGROUP_OTLP_ENDPOINT}); null: no spans are made. */
  public final java.net.URI otlpEndpoint;

  private SidecarConfig(Builder b) {
    this.group = require(b.group, "PROCGROUP_GROUP");
    this.process = require(b.process, "PROCGROUP_PROCESS");
    this.namespace = b.namespace == null ? "default" : b.namespace;
    this.podName = require(b.podName, "PROCGROUP_POD_NAME");
    this.podIp = b.podIp == null ? "" : b.podIp;
    this.identity = b.identity;
    this.hubTokenFile = identity != null ? null : b.hubTokenFile;
    this.hubToken = identity != null ? null : require(b.hubToken, "PROCGROUP_HUB_TOKEN_FILE (or PROCGROUP_HUB_TOKEN), "
        + "or PROCGROUP_IDENTITY_URL for mTLS");
    this.hubHost = b.hubHost;
    this.hubPort = b.hubPort;
    this.peerHost = b.peerHost;
    this.peerPort = b.peerPort;
    this.metricsHost = b.metricsHost;
    this.metricsPort = b.metricsPort;
    this.maxBodyBytes = b.maxBodyBytes;
    this.discoveryMode = b.discoveryMode;
    this.staticPeers = List.copyOf(b.staticPeers);
    this.kube = b.kube;
    this.hubService = b.hubService;
    this.extraHosts = b.extraHosts;
    this.appPid = b.appPid;
    this.appMetrics = b.appMetrics;
    this.declaredServices = b.declaredServices;
    this.otlpEndpoint = b.otlpEndpoint;
    this.limits = b.limits.validated();
    if (discoveryMode == DiscoveryMode.KUBERNETES && kube == null) {
      throw new IllegalArgumentException("Kubernetes discovery needs API access (in-cluster service account, "
          + "PROCGROUP_KUBE_API_URL, or PROCGROUP_STATIC_PEERS for static mode)");
    }
    if (discoveryMode == DiscoveryMode.KUBERNETES) require(hubService, "PROCGROUP_HUB_SERVICE");
  }

  private static String require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must be set");
    }
    return value;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the environment variables documented in README.md. */
  public static SidecarConfig fromEnv(Map<String, String> env) {
    Builder b = builder()
        .group(env.get("PROCGROUP_GROUP"))
        .process(env.get("PROCGROUP_PROCESS"))
        .namespace(env.getOrDefault("PROCGROUP_NAMESPACE", readFile(KubeAccess.SA_DIR.resolve("namespace")).orElse("default")))
        .podName(env.getOrDefault("PROCGROUP_POD_NAME", env.get("HOSTNAME")))
        .podIp(env.get("PROCGROUP_POD_IP"))
        .hubToken(hubToken(env))
        .hubTokenFile(blank(env.get("PROCGROUP_HUB_TOKEN_FILE")) ? null : Path.of(env.get("PROCGROUP_HUB_TOKEN_FILE").trim()))
        .hubPort(intEnv(env, "PROCGROUP_HUB_PORT", 7070))
        .peerPort(intEnv(env, "PROCGROUP_PEER_PORT", 7071))
        .metricsPort(intEnv(env, "PROCGROUP_METRICS_PORT", 9464))
        .maxBodyBytes(intEnv(env, "PROCGROUP_MAX_BODY_BYTES", (int) Rules.limit("maxBodyBytes")))
        .hubService(env.get("PROCGROUP_HUB_SERVICE"))
        .appPid(Long.parseLong(env.getOrDefault("PROCGROUP_APP_PID", "0")))
        .appMetrics(env.getOrDefault("PROCGROUP_APP_METRICS", "auto"))
        .limits(Limits.fromEnv(env))
        .identity(identityFromEnv(env))
        .declaredServices(DeclaredServices.parse(env.get("PROCGROUP_DECLARED_SERVICES")))
        .otlpEndpoint(blank(env.get("PROCGROUP_OTLP_ENDPOINT")) ? null : OtlpExporter.endpoint(env.get("PROCGROUP_OTLP_ENDPOINT")));
    if (env.containsKey("PROCGROUP_HUB_HOST")) b.hubHost(env.get("PROCGROUP_HUB_HOST"));
    if (env.containsKey("PROCGROUP_PEER_HOST")) b.peerHost(env.get("PROCGROUP_PEER_HOST"));
    if (env.containsKey("PROCGROUP_METRICS_HOST")) b.metricsHost(env.get("PROCGROUP_METRICS_HOST"));
    String statics = env.get("PROCGROUP_STATIC_PEERS");
    if (statics != null) {
      b.staticPeers(parseStaticPeers(statics));
    } else {
      KubeAccess kube = KubeAccess.fromEnv(env);
      if (kube == null) {
        throw new IllegalArgumentException("Kubernetes discovery needs API access: run in a pod (service account), "
            + "set PROCGROUP_KUBE_API_URL, or set PROCGROUP_STATIC_PEERS for static mode");
      }
      b.kube(kube);
    }
    return b.build();
  }

  /** mTLS settings when {@code PROCGROUP_IDENTITY_URL} is set (README.md). */
  static IdentitySettings identityFromEnv(Map<String, String> env) {
    String url = env.get("PROCGROUP_IDENTITY_URL");
    if (url == null || url.isBlank()) return null;
    if (!url.startsWith("https://")) throw new IllegalArgumentException("PROCGROUP_IDENTITY_URL must be https://");
    String ca = env.get("PROCGROUP_IDENTITY_CA");
    if (ca == null || ca.isBlank()) {
      String caFile = env.get("PROCGROUP_IDENTITY_CA_FILE");
      ca = caFile == null ? null : readFile(Path.of(caFile)).orElse(null);
    }
    if (ca == null || !ca.contains("BEGIN CERTIFICATE")) {
      throw new IllegalArgumentException("PROCGROUP_IDENTITY_CA (or _FILE) must hold the identity CA certificate (PEM)");
    }
    String token = env.getOrDefault("PROCGROUP_IDENTITY_TOKEN_FILE", KubeAccess.SA_DIR.resolve("identity-token").toString());
    return new IdentitySettings(url.trim(), ca, Path.of(token), env.getOrDefault("PROCGROUP_TRUST_DOMAIN", "cluster.local"));
  }

  /**
   * The group's peer token: from the file {@code PROCGROUP_HUB_TOKEN_FILE} (what the operator gives: a Secret volume
   * in the sidecar's container only, so the token is in no process's environment), else {@code PROCGROUP_HUB_TOKEN}
   * (tests and benchmarks on one machine).
   */
  static String hubToken(Map<String, String> env) {
    String file = env.get("PROCGROUP_HUB_TOKEN_FILE");
    if (file != null && !file.isBlank()) {
      return readFile(Path.of(file.trim())).filter(t -> !t.isBlank()).orElseThrow(() ->
          new IllegalArgumentException("PROCGROUP_HUB_TOKEN_FILE " + file + " is missing, unreadable or empty"));
    }
    return env.get("PROCGROUP_HUB_TOKEN");
  }

  /** {@code pod-b=127.0.0.1:7171,pod-c=127.0.0.1:7271}; an empty string means "no peers". */
  static List<StaticPeer> parseStaticPeers(String spec) {
    List<StaticPeer> peers = new ArrayList<>();
    for (String item : spec.split(",")) {
      String s = item.trim();
      if (s.isEmpty()) continue;
      int eq = s.indexOf('=');
      if (eq <= 0 || eq == s.length() - 1 || s.indexOf(':', eq) < 0) {
        throw new IllegalArgumentException("PROCGROUP_STATIC_PEERS item '" + s + "' is not pod=host:port");
      }
      peers.add(new StaticPeer(s.substring(0, eq), s.substring(eq + 1)));
    }
    return peers;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static int intEnv(Map<String, String> env, String name, int dflt) {
    String v = env.get(name);
    return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
  }

  static Optional<String> readFile(Path p) {
    try {
      return Files.isReadable(p) ? Optional.of(Files.readString(p).trim()) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  public static final class Builder {
    private String group, process, namespace, podName, podIp, hubToken;
    private String hubHost = "127.0.0.1", peerHost = "0.0.0.0", metricsHost = "0.0.0.0";
    private int hubPort = 7070, peerPort = 7071, metricsPort = 9464, maxBodyBytes = (int) Rules.limit("maxBodyBytes");
    private DiscoveryMode discoveryMode = DiscoveryMode.STATIC;
    private List<StaticPeer> staticPeers = List.of();
    private KubeAccess kube;
    private String hubService;
    private String extraHosts;
    private long appPid;
    private String appMetrics = "auto";
    private Path hubTokenFile;
    private Limits limits = Limits.defaults();
    private IdentitySettings identity;
    private DeclaredServices declaredServices = DeclaredServices.NONE;
    private java.net.URI otlpEndpoint;

    public Builder group(String v) { group = v; return this; }
    public Builder process(String v) { process = v; return this; }
    public Builder namespace(String v) { namespace = v; return this; }
    public Builder podName(String v) { podName = v; return this; }
    public Builder podIp(String v) { podIp = v; return this; }
    public Builder hubToken(String v) { hubToken = v; return this; }
    public Builder hubTokenFile(Path v) { hubTokenFile = v; return this; }
    public Builder hubHost(String v) { hubHost = v; return this; }
    public Builder hubPort(int v) { hubPort = v; return this; }
    public Builder peerHost(String v) { peerHost = v; return this; }
    public Builder peerPort(int v) { peerPort = v; return this; }
    public Builder metricsHost(String v) { metricsHost = v; return this; }
    public Builder metricsPort(int v) { metricsPort = v; return this; }
    public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }
    public Builder staticPeers(List<StaticPeer> v) { staticPeers = v; discoveryMode = DiscoveryMode.STATIC; return this; }
    public Builder kube(KubeAccess v) { kube = v; if (v != null) discoveryMode = DiscoveryMode.KUBERNETES; return this; }
    public Builder hubService(String v) { hubService = v; return this; }
    public Builder extraHosts(String v) { extraHosts = v; return this; }
    public Builder appPid(long v) { appPid = v; return this; }
    public Builder appMetrics(String v) { appMetrics = v; return this; }
    public Builder limits(Limits v) { limits = v; return this; }
    public Builder identity(IdentitySettings v) { identity = v; return this; }
    Builder declaredServices(DeclaredServices v) { declaredServices = v; return this; }
    public Builder otlpEndpoint(java.net.URI v) { otlpEndpoint = v; return this; }
    public SidecarConfig build() { return new SidecarConfig(this); }
  }
}
