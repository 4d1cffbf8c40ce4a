package dev.procgroup.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuer's decisions with a fake TokenReview and account lookup (the API calls themselves are fabric8's), its CSR
 * checks with keytool-made requests, and one round trip over its real HTTPS server.
 */
class IdentityIssuerTest {

  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  CertificateAuthority ca;
  Keytool kt;
  final Map<String, IdentityIssuer.Review> tokens = new java.util.HashMap<>();
  final List<String> hubAccounts = new ArrayList<>(List.of("shop/web-hub"));
  final List<String> groupPods = new ArrayList<>(List.of("shop/web-5f6-abc"));
  final Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  IdentityIssuer issuer;

  @BeforeEach
  void setUp() throws Exception {
    ca = CertificateAuthority.generate("procgroup-identity", Duration.ofDays(30));
    kt = new Keytool(dir);
    kt.genKey("sidecar", "EC");
    tokens.put("good", new IdentityIssuer.Review(true, "system:serviceaccount:shop:web-hub", "web-5f6-abc", null));
    IdentitySettings settings = new IdentitySettings(dir, 0, "https://localhost/v1/certificates", List.of("localhost"),
        Duration.ofHours(24), "cluster.local");
    issuer = new IdentityIssuer(ca, settings, (token, audience) -> {
      assertThat(audience).isEqualTo("procgroup-identity");
      if (token.equals("explode")) throw new IllegalStateException("apiserver down");
      return tokens.getOrDefault(token, new IdentityIssuer.Review(false, null, null, "unknown token"));
    }, new IdentityIssuer.Accounts() {
      @Override public boolean isHubAccount(String ns, String sa, String group) {
        return hubAccounts.contains(ns + "/" + sa) && sa.equals(group + "-hub");
      }

      @Override public boolean isGroupPod(String ns, String pod, String sa, String group) {
        return groupPods.contains(ns + "/" + pod);
      }
    }, Clock.fixed(now, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    issuer.close();
  }

  String body(String csr) {
    return JSON.createObjectNode().put("csr", csr).toString();
  }

  @Test
  void aGroupsPodGetsACertificateNamingItsGroupWhateverTheCsrAsks() throws Exception {
    IdentityIssuer.Answer a = issuer.handle("Bearer good", body(kt.csr("sidecar")));
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode out = JSON.readTree(a.body());
    X509Certificate cert = CertificateAuthority.parseCertificates(out.get("certificateChain").asText()).get(0);
    cert.verify(ca.certificate().getPublicKey());
    assertThat(cert.getPublicKey()).isEqualTo(kt.publicKey("sidecar"));
    assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://cluster.local/ns/shop/pg/web"));
    assertThat(cert.getSubjectX500Principal().getName()).as("the CSR's CN=sidecar is not taken").isEmpty();
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofHours(24)));
    assertThat(out.get("spiffeId").asText()).isEqualTo("spiffe://cluster.local/ns/shop/pg/web");
    assertThat(out.get("caBundle").asText()).isEqualTo(ca.certificatePem());
  }

  @Test
  void everyoneElseIsRefusedWithAReason() throws Exception {
    String csr = kt.csr("sidecar");
    tokens.put("default-sa", new IdentityIssuer.Review(true, "system:serviceaccount:shop:default", "web-5f6-abc", null));
    tokens.put("user", new IdentityIssuer.Review(true, "alice", null, null));
    tokens.put("unbound", new IdentityIssuer.Review(true, "system:serviceaccount:shop:web-hub", null, null));
    tokens.put("foreign-hub", new IdentityIssuer.Review(true, "system:serviceaccount:shop:evil-hub", "evil-1", null));
    tokens.put("other-pod", new IdentityIssuer.Review(true, "system:serviceaccount:shop:web-hub", "intruder", null));
    tokens.put("bare-suffix", new IdentityIssuer.Review(true, "system:serviceaccount:shop:-hub", "p", null));
    Map<String, Integer> expected = new java.util.LinkedHashMap<>();
    expected.put(null, 401);
    expected.put("Basic Zm9v", 401);
    expected.put("Bearer nope", 401);
    expected.put("Bearer explode", 503);
    expected.put("Bearer default-sa", 403);
    expected.put("Bearer user", 403);
    expected.put("Bearer unbound", 403);
    expected.put("Bearer foreign-hub", 403);
    expected.put("Bearer other-pod", 403);
    expected.put("Bearer bare-suffix", 403);
    for (var e : expected.entrySet()) {
      IdentityIssuer.Answer a = issuer.handle(e.getKey(), body(csr));
      assertThat(a.status()).as("%s: %s", e.getKey(), a.body()).isEqualTo(e.getValue());
      assertThat(JSON.readTree(a.body()).path("error").path("message").asText()).isNotBlank();
    }
  }

  @Test
  void aBadOrForgedCsrIsRefused() throws Exception {
    String csr = kt.csr("sidecar");
    assertThat(issuer.handle("Bearer good", "{}").status()).isEqualTo(400);
    assertThat(issuer.handle("Bearer good", "not json").status()).isEqualTo(400);
    assertThat(issuer.handle("Bearer good", body("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
        + "-----END CERTIFICATE REQUEST-----\n")).status()).isEqualTo(400);
    // one byte of the signed part changed: the signature no longer verifies
    byte[] der = CertificateAuthority.pemBlock(csr, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
    der[der.length / 3] ^= 0x01;
    IdentityIssuer.Answer forged = issuer.handle("Bearer good", body(CertificateAuthorityTest.pem("CERTIFICATE REQUEST",
        der)));
    assertThat(forged.status()).isEqualTo(400);
    assertThat(forged.body()).contains("bad CSR");
    // a weak RSA key
    kt.run("-genkeypair", "-alias", "weak", "-keyalg", "RSA", "-keysize", "1024", "-dname", "CN=weak");
    IdentityIssuer.Answer weak = issuer.handle("Bearer good", body(kt.csr("weak")));
    assertThat(weak.status()).isEqualTo(400);
    assertThat(weak.body()).contains("too weak");
    // an RSA 2048 key is fine
    kt.genKey("rsa", "RSA");
    assertThat(issuer.handle("Bearer good", body(kt.csr("rsa"))).status()).isEqualTo(200);
  }

  @Test
  void overItsHttpsServerWithAServingCertificateFromTheSameCa() throws Exception {
    issuer.listen();
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + issuer.port()
            + "/v1/certificates")).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer good")
        .POST(HttpRequest.BodyPublishers.ofString(body(kt.csr("sidecar")))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
    X509Certificate served = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
    assertThat(served.getSubjectAlternativeNames()).containsExactly(List.of(2, "localhost"));
    HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + issuer.port()
        + "/v1/certificates")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
  }
}
