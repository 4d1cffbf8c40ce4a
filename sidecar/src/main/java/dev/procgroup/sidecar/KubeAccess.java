package dev.procgroup.sidecar;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * How to reach the Kubernetes API: URL, credentials and trust. In a pod that is the service account
 * (token file re-read so rotated bound tokens keep working, CA from the projected volume). Tests and local runs
 * point at any apiserver with explicit env: {@code PROCGROUP_KUBE_API_URL} plus a bearer token
 * ({@code PROCGROUP_KUBE_TOKEN} / {@code PROCGROUP_KUBE_TOKEN_FILE}) or a client certificate
 * ({@code PROCGROUP_KUBE_CLIENT_CERT_FILE} + {@code PROCGROUP_KUBE_CLIENT_KEY_FILE}), and
 * {@code PROCGROUP_KUBE_CA_FILE}.
 */
public record KubeAccess(URI apiUrl, String token, Path tokenFile, Path caFile, Path clientCertFile,
                         Path clientKeyFile, boolean insecure) {

  static final Path SA_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  /** Null when neither explicit settings nor an in-cluster service account are there. */
  static KubeAccess fromEnv(Map<String, String> env) {
    String url = env.get("PROCGROUP_KUBE_API_URL");
    if (url != null && !url.isBlank()) {
      return new KubeAccess(URI.create(url.trim()), env.get("PROCGROUP_KUBE_TOKEN"),
          path(env.get("PROCGROUP_KUBE_TOKEN_FILE")), path(env.get("PROCGROUP_KUBE_CA_FILE")),
          path(env.get("PROCGROUP_KUBE_CLIENT_CERT_FILE")), path(env.get("PROCGROUP_KUBE_CLIENT_KEY_FILE")),
          Boolean.parseBoolean(env.getOrDefault("PROCGROUP_KUBE_INSECURE", "false")));
    }
    String host = env.get("KUBERNETES_SERVICE_HOST");
    if (host == null || host.isBlank()) {
      return null;
    }
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    String h = host.contains(":") ? "[" + host + "]" : host;
    return new KubeAccess(URI.create("https://" + h + ":" + port), null, SA_DIR.resolve("token"),
        SA_DIR.resolve("ca.crt"), null, null, false);
  }

  private static Path path(String s) {
    return s == null || s.isBlank() ? null : Path.of(s.trim());
  }

  /** The bearer token for the next request, or null when authenticating with a client certificate. */
  String currentToken() {
    if (token != null && !token.isBlank()) return token.trim();
    if (tokenFile != null) return SidecarConfig.readFile(tokenFile).orElse(null);
    return null;
  }

  boolean tls() {
    return "https".equalsIgnoreCase(apiUrl.getScheme());
  }

  int port() {
    return apiUrl.getPort() > 0 ? apiUrl.getPort() : (tls() ? 443 : 80);
  }
}
