package dev.procgroup.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-made DER of the CA, checked by the JDK's certificate parser and PKIX, and by keytool. */
class CertificateAuthorityTest {

  @TempDir Path dir;

  @Test
  void aLeafFromTheCaValidatesUnderPkixAndCarriesExactlyTheNamesAndUsesAsked() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("procgroup-identity", Duration.ofDays(30));
    assertThat(ca.certificate().getBasicConstraints()).isEqualTo(0);
    ca.certificate().verify(ca.certificate().getPublicKey()); // self-signed
    Keytool kt = new Keytool(dir);
    kt.genKey("sidecar", "EC");
    Instant now = Instant.now();
    X509Certificate leaf = ca.issue(Csrs.verifiedKey(kt.csr("sidecar")), null,
        List.of("spiffe://cluster.local/ns/shop/pg/web"), List.of(), now.minusSeconds(30), now.plus(Duration.ofHours(24)));
    leaf.verify(ca.certificate().getPublicKey());
    assertThat(leaf.getPublicKey()).isEqualTo(kt.publicKey("sidecar"));
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://cluster.local/ns/shop/pg/web"));
    assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.17", "2.5.29.19", "2.5.29.15");
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofHours(24).plusSeconds(30));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
        .generateCertPath(List.of(leaf)), params);
    // keytool takes it as the reply for its key, chained to the CA
    kt.importCert("ca", ca.certificatePem(), true);
    kt.importCert("sidecar", CertificateAuthority.pem(leaf), false);
    assertThat(kt.certificate("sidecar")).isEqualTo(leaf);
  }

  @Test
  void aLeafNeverOutlivesItsCa() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("short", Duration.ofHours(1));
    X509Certificate leaf = ca.issue(CertificateAuthority.newEcKey().getPublic(), "x", List.of(), List.of("localhost"),
        Instant.now(), Instant.now().plus(Duration.ofDays(3)));
    assertThat(leaf.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "localhost"));
  }

  /** What Helm's genCA writes: an RSA CA with a PKCS#1 key; and PKCS#8. */
  @Test
  void aCaLoadsFromPemWithAPkcs1OrPkcs8KeyAndRefusesAForeignKey() throws Exception {
    Keytool kt = new Keytool(dir);
    kt.genKey("rootca", "RSA", "-ext", "bc:c", "-ext", "ku:c=keyCertSign,cRLSign");
    String certPem = CertificateAuthority.pem(kt.certificate("rootca"));
    byte[] pkcs8 = kt.privateKey("rootca").getEncoded();
    byte[] pkcs1 = Der.read(pkcs8).children().get(2).value(); // PrivateKeyInfo.privateKey
    CertificateAuthority fromPkcs1 = CertificateAuthority.load(certPem, pem("RSA PRIVATE KEY", pkcs1));
    CertificateAuthority fromPkcs8 = CertificateAuthority.load(certPem, pem("PRIVATE KEY", pkcs8));
    X509Certificate leaf = fromPkcs1.issue(CertificateAuthority.newEcKey().getPublic(), null,
        List.of("spiffe://cluster.local/ns/a/pg/b"), List.of(), Instant.now(), Instant.now().plusSeconds(600));
    leaf.verify(kt.certificate("rootca").getPublicKey());
    assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withRSA");
    assertThat(fromPkcs8.certificate()).isEqualTo(fromPkcs1.certificate());

    kt.genKey("other", "RSA");
    assertThatThrownBy(() -> CertificateAuthority.load(certPem, pem("PRIVATE KEY", kt.privateKey("other").getEncoded())))
        .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("does not belong");
    assertThatThrownBy(() -> CertificateAuthority.load(CertificateAuthority.pem(kt.certificate("other")),
        pem("PRIVATE KEY", kt.privateKey("other").getEncoded()))).hasMessageContaining("not a CA");
  }

  /** What openssl and cert-manager write for EC: SEC1 "EC PRIVATE KEY", the curve in its [0] parameters. */
  @Test
  void aSec1EcKeyWithItsCurveLoadsAndOneWithoutIsRefused() throws Exception {
    Keytool kt = new Keytool(dir);
    kt.genKey("ecca", "EC", "-ext", "bc:c");
    Der.Element pkcs8 = Der.read(kt.privateKey("ecca").getEncoded());
    byte[] curve = pkcs8.children().get(1).children().get(1).encoded(); // AlgorithmIdentifier parameters: the curve
    List<Der.Element> sec1 = Der.read(pkcs8.children().get(2).value()).children(); // the JDK's: {1, key}
    byte[] withCurve = Der.seq(sec1.get(0).encoded(), sec1.get(1).encoded(), Der.explicit(0, curve));
    byte[] withoutCurve = Der.seq(sec1.get(0).encoded(), sec1.get(1).encoded());
    String certPem = CertificateAuthority.pem(kt.certificate("ecca"));
    CertificateAuthority loaded = CertificateAuthority.load(certPem, pem("EC PRIVATE KEY", withCurve));
    assertThat(loaded.certificate()).isEqualTo(kt.certificate("ecca"));
    assertThatThrownBy(() -> CertificateAuthority.load(certPem, pem("EC PRIVATE KEY", withoutCurve)))
        .hasMessageContaining("without its curve");
  }

  /** Fixtures made by the other halves: a CSR from the sidecar's own encoder, a CA from Helm's genCA. */
  @Test
  void theSidecarsCsrAndHelmsGenCaWorkTogether() throws Exception {
    String csr = resource("sidecar.csr");
    byte[] expectedKey = Base64.getDecoder().decode(resource("sidecar.csr.pub").trim());
    CertificateAuthority helm = CertificateAuthority.load(resource("helm-genca.crt"), resource("helm-genca.key"));
    assertThat(helm.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=procgroup-identity");
    var key = Csrs.verifiedKey(csr);
    assertThat(key.getEncoded()).isEqualTo(expectedKey);
    X509Certificate leaf = helm.issue(key, null, List.of("spiffe://cluster.local/ns/shop/pg/web"), List.of(),
        Instant.now().minusSeconds(30), Instant.now().plusSeconds(3600));
    leaf.verify(helm.certificate().getPublicKey());
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(helm.certificate(), null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
        .generateCertPath(List.of(leaf)), params);
  }

  static String resource(String name) throws Exception {
    try (var in = CertificateAuthorityTest.class.getResourceAsStream("/identity/" + name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
