package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.security.KeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

/** The hand-made PKCS#10 request, read back by an independent implementation (BouncyCastle, test scope). */
class CsrTest {

  @Test
  void theCsrParsesItsSignatureVerifiesAndItCarriesOurKey() throws Exception {
    KeyPair keys = PeerIdentity.newKey();
    String pem = Csr.pem(keys, "shop-web-7d9c-x2");
    PKCS10CertificationRequest csr;
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      csr = (PKCS10CertificationRequest) p.readObject();
    }
    assertThat(csr.getSubject().toString()).isEqualTo("CN=shop-web-7d9c-x2");
    assertThat(new JcaPKCS10CertificationRequest(csr).setProvider(TestCa.BC).getPublicKey().getEncoded())
        .isEqualTo(keys.getPublic().getEncoded());
    assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(TestCa.BC).build(csr.getSubjectPublicKeyInfo())))
        .isTrue();
    // a request signed by another key does not verify
    KeyPair other = PeerIdentity.newKey();
    String forged = Csr.pem(other, "x");
    PKCS10CertificationRequest f;
    try (PEMParser p = new PEMParser(new StringReader(forged))) {
      f = (PKCS10CertificationRequest) p.readObject();
    }
    assertThat(f.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(TestCa.BC).build(keys.getPublic()))).isFalse();
  }
}
