package dev.procgroup.sidecar;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A test CA (BouncyCastle, test scope only) and a test issuer that plays the operator's part for the sidecar: it
 * signs the CSRs of real sidecars, over HTTPS, for the group the "token" names (the test's stand-in for the
 * TokenReview: the token file holds {@code <namespace>/<group>}).
 */
final class TestCa {

  static final SecureRandom RANDOM = new SecureRandom();
  static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();
  final KeyPair key;
  final X509Certificate cert;

  TestCa(String name) {
    try {
      key = PeerIdentity.newKey();
      Instant now = Instant.now();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name), serial(),
          Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + name),
          key.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      cert = sign(b);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }

  private X509Certificate sign(X509v3CertificateBuilder b) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
        .build(key.getPrivate())));
  }

  /** A leaf for {@code publicKey} naming {@code spiffeId} (null: none) and DNS names, valid from..to. */
  X509Certificate issue(PublicKey publicKey, String spiffeId, Instant from, Instant to, String... dnsNames) {
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          X500Name.getInstance(this.cert.getSubjectX500Principal().getEncoded()), serial(), Date.from(from), Date.from(to), new X500Name("CN=peer"), publicKey);
      GeneralName[] names = new GeneralName[(spiffeId == null ? 0 : 1) + dnsNames.length];
      int i = 0;
      if (spiffeId != null) names[i++] = new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId);
      for (String d : dnsNames) names[i++] = new GeneralName(GeneralName.dNSName, d);
      if (names.length > 0) b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(names));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      return sign(b);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(Object o) {
    try {
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(o);
      }
      return w.toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pkcs8(java.security.PrivateKey k) {
    return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
        k.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
  }

  /** The issuer's stand-in, on https://localhost:{port}/v1/certificates. */
  final class Issuer implements AutoCloseable {
    final HttpServer server;
    volatile Duration ttl;
    final AtomicInteger issued = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();

    Issuer(Vertx vertx, Duration ttl, int port) {
      this.ttl = ttl;
      try {
        KeyPair serving = PeerIdentity.newKey();
        X509Certificate servingCert = issue(serving.getPublic(), null, Instant.now().minusSeconds(60),
            Instant.now().plus(Duration.ofDays(1)), "localhost");
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(pem(servingCert))).setKeyValue(Buffer.buffer(pkcs8(serving.getPrivate())))))
            .requestHandler(req -> req.body().onSuccess(body -> {
              try {
                String auth = req.getHeader("Authorization");
                if (auth == null || !auth.startsWith("Bearer ") || !auth.substring(7).contains("/")) {
                  refused.incrementAndGet();
                  req.response().setStatusCode(401).end("{\"error\":{\"name\":\"Unauthorized\",\"message\":\"token\"}}");
                  return;
                }
                String[] nsGroup = auth.substring(7).trim().split("/");
                PKCS10CertificationRequest csr;
                try (PEMParser p = new PEMParser(new StringReader(new JsonObject(body).getString("csr")))) {
                  csr = (PKCS10CertificationRequest) p.readObject();
                }
                if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(TestCa.BC).build(csr.getSubjectPublicKeyInfo()))) {
                  throw new IllegalArgumentException("CSR signature invalid");
                }
                PublicKey pk = new JcaPKCS10CertificationRequest(csr).setProvider(TestCa.BC).getPublicKey();
                Instant now = Instant.now();
                X509Certificate leaf = issue(pk, PeerIdentity.spiffeId("cluster.local", nsGroup[0], nsGroup[1]),
                    now.minusSeconds(1), now.plus(this.ttl));
                issued.incrementAndGet();
                req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("certificateChain", pem(leaf)).encode());
              } catch (Exception e) {
                refused.incrementAndGet();
                req.response().setStatusCode(400).end("{\"error\":{\"name\":\"BadRequest\",\"message\":\""
                    + e.getClass().getSimpleName() + "\"}}");
              }
            }));
        Await.of(server.listen(port, "127.0.0.1"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    String url() {
      return "https://localhost:" + server.actualPort() + "/v1/certificates";
    }

    @Override public void close() {
      Await.of(server.close());
    }
  }
}
