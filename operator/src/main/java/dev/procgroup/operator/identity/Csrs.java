package dev.procgroup.operator.identity;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Map;

/**
 * Reads a PKCS#10 certificate signing request: checks its self-signature (the requester holds the private key) and
 * returns the public key to certify. Only the key is taken from it: the identity in the certificate comes from the
 * verified ServiceAccount, never from what the request asks for.
 */
final class Csrs {
  private Csrs() {}

  private static final Map<String, String> SIGNATURES = Map.of(
      CertificateAuthority.OID_ECDSA_SHA256, "SHA256withECDSA",
      "1.2.840.10045.4.3.3", "SHA384withECDSA",
      CertificateAuthority.OID_RSA_SHA256, "SHA256withRSA");

  /** The CSR's key, after checking its signature and that the key is EC P-256/P-384 or RSA of 2048+ bits. */
  static PublicKey verifiedKey(String pem) throws GeneralSecurityException {
    byte[] der = CertificateAuthority.pemBlock(pem, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
    try {
      List<Der.Element> top = Der.read(der).children();
      if (top.size() != 3) throw new GeneralSecurityException("a CSR has three parts");
      Der.Element info = top.get(0);
      List<Der.Element> infoParts = info.children();
      if (infoParts.size() < 3) throw new GeneralSecurityException("CSR info too short");
      Der.Element spki = infoParts.get(2);
      String keyOid = CertificateAuthority.oidString(spki.children().get(0).children().get(0));
      String keyAlg = CertificateAuthority.OID_EC_KEY.equals(keyOid) ? "EC"
          : CertificateAuthority.OID_RSA_KEY.equals(keyOid) ? "RSA" : null;
      if (keyAlg == null) throw new GeneralSecurityException("unsupported key algorithm " + keyOid);
      PublicKey key = KeyFactory.getInstance(keyAlg).generatePublic(new X509EncodedKeySpec(spki.encoded()));
      if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() < 256
          || key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
        throw new GeneralSecurityException("key too weak: EC P-256 or RSA 2048 at least");
      }
      String sigOid = CertificateAuthority.oidString(top.get(1).children().get(0));
      String sigAlg = SIGNATURES.get(sigOid);
      if (sigAlg == null) throw new GeneralSecurityException("unsupported CSR signature " + sigOid);
      Signature s = Signature.getInstance(sigAlg);
      s.initVerify(key);
      s.update(info.encoded());
      if (!s.verify(top.get(2).bitString())) throw new GeneralSecurityException("the CSR's signature does not verify");
      return key;
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new GeneralSecurityException("malformed CSR: " + e.getMessage(), e);
    }
  }
}
