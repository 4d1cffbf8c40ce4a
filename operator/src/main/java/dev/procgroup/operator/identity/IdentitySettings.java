package dev.procgroup.operator.identity;

import dev.procgroup.operator.status.Durations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The identity issuer's settings (environment, set by the chart; operator/README.md): the CA directory (a
 * {@code kubernetes.io/tls} Secret mounted into the operator: {@code tls.crt}, {@code tls.key}), the port it serves on,
 * the URL the sidecars dial and the DNS names of its serving certificate, the lifetime of the certificates it signs
 * and the trust domain of their SPIFFE IDs. Null from {@link #fromEnvironment} when
 * {@code PROCGROUP_IDENTITY_ENABLED} is not true: the sidecars then use the group's bearer token on a plaintext peer
 * port.
 */
public record IdentitySettings(Path caDir, int port, String issuerUrl, List<String> dnsNames, Duration certTtl,
                               String trustDomain) {

  public static final Duration DEFAULT_TTL = Duration.ofHours(24);
  /**
   * Sidecars renew at half the lifetime, and the issuer needs the apiserver (TokenReview): below a few minutes an
   * apiserver or operator outage of half the lifetime expires certificates. 2m is for tests (renewal every minute).
   */
  public static final Duration MIN_TTL = Duration.ofMinutes(2);

  public static IdentitySettings fromEnvironment(Map<String, String> env) {
    if (!"true".equalsIgnoreCase(env.getOrDefault("PROCGROUP_IDENTITY_ENABLED", "false").trim())) return null;
    String url = require(env, "PROCGROUP_IDENTITY_URL");
    URI uri = URI.create(url);
    if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("PROCGROUP_IDENTITY_URL must be https://host:port/path, was: " + url);
    }
    List<String> dns = Arrays.stream(env.getOrDefault("PROCGROUP_IDENTITY_DNS_NAMES", uri.getHost()).split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    Duration ttl;
    try {
      ttl = Durations.parse(env.get("PROCGROUP_IDENTITY_CERT_TTL"), DEFAULT_TTL);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("PROCGROUP_IDENTITY_CERT_TTL must be a duration such as 24h");
    }
    if (ttl.compareTo(MIN_TTL) < 0) {
      throw new IllegalArgumentException("PROCGROUP_IDENTITY_CERT_TTL must be at least " + MIN_TTL.toMinutes() + "m");
    }
    int port;
    try {
      port = Integer.parseInt(env.getOrDefault("PROCGROUP_IDENTITY_PORT", "8443").trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("PROCGROUP_IDENTITY_PORT must be a number");
    }
    return new IdentitySettings(Path.of(require(env, "PROCGROUP_IDENTITY_CA_DIR")), port, url, dns, ttl,
        env.getOrDefault("PROCGROUP_TRUST_DOMAIN", "cluster.local"));
  }

  private static String require(Map<String, String> env, String key) {
    String v = env.get(key);
    if (v == null || v.isBlank()) throw new IllegalArgumentException(key + " must be set when identity is enabled");
    return v.trim();
  }

  /** The CA certificate (PEM) the sidecars trust. */
  public String caCertificatePem() {
    try {
      return Files.readString(caDir.resolve("tls.crt"));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the identity CA certificate " + caDir.resolve("tls.crt") + ": " + e);
    }
  }

  /** What the sidecars are told (DesiredDeployment). */
  public SidecarIdentity forSidecars() {
    return new SidecarIdentity(issuerUrl, caCertificatePem(), trustDomain);
  }
}
