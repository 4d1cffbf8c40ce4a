package dev.procgroup.operator.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity issuer (sidecar/SECURITY.md "Peer identity"): signs short-lived certificates for hub sidecars, over
 * HTTPS with a serving certificate from the same CA. {@code POST /v1/certificates}, {@code Authorization: Bearer
 * <projected ServiceAccount token, audience procgroup-identity>}, body {@code {"csr": "<PEM PKCS#10>"}}. The token is
 * checked with a TokenReview (so it must be unexpired, for our audience and bound to a live pod); its ServiceAccount
 * must be a group's hub ServiceAccount ({@code <group>-hub}, owned by that ProcessGroup) and its pod a pod of that
 * group. The certificate then names the group, {@code spiffe://<trust domain>/ns/<ns>/pg/<group>}, whatever the CSR
 * asks for; the CSR only contributes its (signature-checked) key.
 */
public final class IdentityIssuer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IdentityIssuer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SERVICE_ACCOUNT = Pattern.compile("^system:serviceaccount:([a-z0-9-]+):([a-z0-9.-]+)$");
  static final String HUB_SUFFIX = "-hub";
  static final int MAX_BODY = 16 * 1024;
  static final String POD_NAME_EXTRA = "authentication.kubernetes.io/pod-name";

  /** What a TokenReview said. */
  public record Review(boolean authenticated, String username, String podName, String error) {}

  /** The TokenReview call (fabric8 in production, a fake in unit tests). */
  public interface TokenReviewer {
    Review review(String token, String audience) throws Exception;
  }

  /** Whether the ServiceAccount is the group's hub account and the pod one of the group's pods. */
  public interface Accounts {
    boolean isHubAccount(String namespace, String serviceAccount, String group);

    boolean isGroupPod(String namespace, String pod, String serviceAccount, String group);
  }

  /** An answer: status and JSON body. */
  public record Answer(int status, String body) {}

  private final CertificateAuthority ca;
  private final IdentitySettings settings;
  private final TokenReviewer reviewer;
  private final Accounts accounts;
  private final Clock clock;
  private HttpsServer server;
  private ExecutorService executor;

  public IdentityIssuer(CertificateAuthority ca, IdentitySettings settings, TokenReviewer reviewer, Accounts accounts,
                        Clock clock) {
    this.ca = ca;
    this.settings = settings;
    this.reviewer = reviewer;
    this.accounts = accounts;
    this.clock = clock;
  }

  /** Loads the CA from {@code settings.caDir()} and serves, checking tokens and accounts through the API. */
  public static IdentityIssuer start(KubernetesClient client, IdentitySettings settings) throws Exception {
    CertificateAuthority ca = CertificateAuthority.load(Files.readString(settings.caDir().resolve("tls.crt")),
        Files.readString(settings.caDir().resolve("tls.key")));
    IdentityIssuer issuer = new IdentityIssuer(ca, settings, fabric8Reviewer(client), fabric8Accounts(client),
        Clock.systemUTC());
    issuer.listen();
    return issuer;
  }

  static TokenReviewer fabric8Reviewer(KubernetesClient client) {
    return (token, audience) -> {
      TokenReview r = client.resource(new TokenReviewBuilder().withNewSpec().withToken(token)
          .withAudiences(audience).endSpec().build()).create();
      var st = r.getStatus();
      if (st == null) return new Review(false, null, null, "no TokenReview status");
      String pod = null;
      if (st.getUser() != null && st.getUser().getExtra() != null) {
        List<String> pods = st.getUser().getExtra().get(POD_NAME_EXTRA);
        if (pods != null && !pods.isEmpty()) pod = pods.get(0);
      }
      boolean audienceOk = st.getAudiences() == null || st.getAudiences().contains(audience);
      return new Review(Boolean.TRUE.equals(st.getAuthenticated()) && audienceOk,
          st.getUser() == null ? null : st.getUser().getUsername(), pod, st.getError());
    };
  }

  static Accounts fabric8Accounts(KubernetesClient client) {
    return new Accounts() {
      @Override public boolean isHubAccount(String namespace, String serviceAccount, String group) {
        ServiceAccount sa = client.serviceAccounts().inNamespace(namespace).withName(serviceAccount).get();
        return sa != null && ownedByGroup(sa.getMetadata().getOwnerReferences(), group);
      }

      @Override public boolean isGroupPod(String namespace, String pod, String serviceAccount, String group) {
        Pod p = client.pods().inNamespace(namespace).withName(pod).get();
        return p != null && p.getMetadata().getLabels() != null
            && group.equals(p.getMetadata().getLabels().get("procgroup.dev/group"))
            && serviceAccount.equals(p.getSpec().getServiceAccountName());
      }
    };
  }

  static boolean ownedByGroup(List<OwnerReference> refs, String group) {
    if (refs == null) return false;
    return refs.stream().anyMatch(o -> "ProcessGroup".equals(o.getKind()) && group.equals(o.getName())
        && o.getApiVersion() != null && o.getApiVersion().startsWith("procgroup.dev/"));
  }

  /**
   * Time limits for the JDK's HTTP server, which has none by default: a client that sends its request slowly would
   * hold one of the issuer's threads for good (the issuer's port is reachable from every pod). The JDK reads these
   * properties once, when its first server starts, so {@code main} calls this before anything else; a value already
   * given on the command line is kept.
   */
  public static void limitJdkHttpServer() {
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "10");   // seconds to read a request
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "30");   // seconds to write a response
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqHeaders", "64");
    System.getProperties().putIfAbsent("sun.net.httpserver.idleInterval", "30"); // seconds an idle connection stays
  }

  /** Starts the HTTPS server on {@code settings.port()} (0: any; see {@link #port()}). */
  public void listen() throws Exception {
    KeyPair serving = CertificateAuthority.newEcKey();
    Instant now = clock.instant();
    X509Certificate cert = ca.issue(serving.getPublic(), settings.dnsNames().get(0), List.of(), settings.dnsNames(),
        now.minusSeconds(60), now.plus(Duration.ofDays(365)));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("issuer", serving.getPrivate(), new char[0], new Certificate[] {cert, ca.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(settings.port()), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
      @Override public void configure(HttpsParameters params) {
        SSLParameters p = ssl.getDefaultSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        params.setSSLParameters(p);
      }
    });
    executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "identity-issuer");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/v1/certificates", this::exchange);
    server.start();
    LOG.info("identity issuer on :{} for {} (certificates {} , trust domain {})", port(), settings.dnsNames(),
        settings.certTtl(), settings.trustDomain());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void exchange(HttpExchange ex) throws IOException {
    Answer a;
    try {
      if (!"POST".equals(ex.getRequestMethod())) {
        a = error(405, "MethodNotAllowed", "POST a CSR here");
      } else {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
          body = in.readNBytes(MAX_BODY + 1);
        }
        a = body.length > MAX_BODY ? error(413, "PayloadTooLarge", "at most " + MAX_BODY + " bytes")
            : handle(ex.getRequestHeaders().getFirst("Authorization"), new String(body, StandardCharsets.UTF_8));
      }
    } catch (RuntimeException e) {
      LOG.warn("identity request failed", e);
      a = error(500, "IssuerError", String.valueOf(e.getMessage()));
    }
    byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(a.status(), out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  /** The decision, without HTTP: who asks (TokenReview), for which group, and the certificate. */
  public Answer handle(String authorization, String body) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return error(401, "Unauthorized", "send the projected ServiceAccount token (audience "
          + SidecarIdentity.AUDIENCE + ") as a bearer token");
    }
    Review review;
    try {
      review = reviewer.review(authorization.substring(7).trim(), SidecarIdentity.AUDIENCE);
    } catch (Exception e) {
      LOG.warn("TokenReview failed: {}", e.toString());
      return error(503, "TokenReviewFailed", "could not review the token: " + e.getMessage());
    }
    if (!review.authenticated()) {
      return error(401, "Unauthorized", "token not accepted" + (review.error() == null ? "" : ": " + review.error()));
    }
    Matcher m = SERVICE_ACCOUNT.matcher(String.valueOf(review.username()));
    if (!m.matches() || !m.group(2).endsWith(HUB_SUFFIX) || m.group(2).length() == HUB_SUFFIX.length()) {
      return error(403, "Forbidden", review.username() + " is not a hub ServiceAccount (<group>-hub)");
    }
    String namespace = m.group(1);
    String serviceAccount = m.group(2);
    String group = serviceAccount.substring(0, serviceAccount.length() - HUB_SUFFIX.length());
    if (review.podName() == null) {
      return error(403, "Forbidden", "the token is not bound to a pod (use a projected ServiceAccount token)");
    }
    if (!accounts.isHubAccount(namespace, serviceAccount, group)) {
      return error(403, "Forbidden", "ServiceAccount " + namespace + "/" + serviceAccount
          + " is not owned by ProcessGroup " + group);
    }
    if (!accounts.isGroupPod(namespace, review.podName(), serviceAccount, group)) {
      return error(403, "Forbidden", "pod " + namespace + "/" + review.podName() + " is not a pod of group " + group);
    }
    PublicKey key;
    try {
      JsonNode req = JSON.readTree(body);
      key = Csrs.verifiedKey(req.path("csr").asText(""));
    } catch (IOException | GeneralSecurityException e) {
      return error(400, "BadRequest", "bad CSR: " + e.getMessage());
    }
    String id = SidecarIdentity.spiffeId(settings.trustDomain(), namespace, group);
    try {
      Instant now = clock.instant();
      X509Certificate cert = ca.issue(key, null, List.of(id), List.of(), now.minusSeconds(30),
          now.plus(settings.certTtl()));
      LOG.info("issued {} to pod {}/{} until {}", id, namespace, review.podName(), cert.getNotAfter().toInstant());
      ObjectNode out = JSON.createObjectNode();
      out.put("certificateChain", CertificateAuthority.pem(cert));
      out.put("caBundle", ca.certificatePem());
      out.put("spiffeId", id);
      out.put("notAfter", cert.getNotAfter().toInstant().toString());
      return new Answer(200, out.toString());
    } catch (GeneralSecurityException e) {
      return error(500, "IssuerError", "signing failed: " + e.getMessage());
    }
  }

  static Answer error(int status, String name, String message) {
    ObjectNode err = JSON.createObjectNode();
    err.putObject("error").put("name", name).put("message", message);
    return new Answer(status, err.toString());
  }

  @Override public void close() {
    if (server != null) server.stop(0);
    if (executor != null) executor.shutdownNow();
  }
}
