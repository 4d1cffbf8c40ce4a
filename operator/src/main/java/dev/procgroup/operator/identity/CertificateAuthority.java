package dev.procgroup.operator.identity;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The identity CA: its key and certificate, and the signing of leaf certificates (X.509 v3, DER by {@link Der}). The
 * chart provides the CA as a Secret mounted into the operator (PEM: the certificate, and the key as PKCS#8, PKCS#1 RSA
 * — what Helm's {@code genCA} writes — or SEC1 EC); {@link #generate} makes an in-memory one for tests and local runs.
 */
public final class CertificateAuthority {

  private static final SecureRandom RANDOM = new SecureRandom();
  static final String OID_EC_KEY = "1.2.840.10045.2.1";
  static final String OID_RSA_KEY = "1.2.840.113549.1.1.1";
  static final String OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";
  static final String OID_RSA_SHA256 = "1.2.840.113549.1.1.11";

  private final PrivateKey key;
  private final X509Certificate cert;

  CertificateAuthority(PrivateKey key, X509Certificate cert) {
    this.key = key;
    this.cert = cert;
  }

  public X509Certificate certificate() {
    return cert;
  }

  public String certificatePem() {
    return pem(cert);
  }

  /** From PEM text: the CA certificate (the first one) and its private key. */
  public static CertificateAuthority load(String certPem, String keyPem) throws GeneralSecurityException {
    List<X509Certificate> certs = parseCertificates(certPem);
    if (certs.isEmpty()) throw new GeneralSecurityException("no certificate in the CA certificate PEM");
    PrivateKey key = parsePrivateKey(keyPem);
    X509Certificate ca = certs.get(0);
    if (ca.getBasicConstraints() < 0) throw new GeneralSecurityException("the CA certificate is not a CA (basicConstraints)");
    // the key must be the certificate's: sign and verify a probe
    Signature s = Signature.getInstance(signatureAlgorithm(key));
    s.initSign(key);
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    s.initVerify(ca.getPublicKey());
    s.update(new byte[] {1, 2, 3});
    if (!s.verify(sig)) throw new GeneralSecurityException("the CA key does not belong to the CA certificate");
    return new CertificateAuthority(key, ca);
  }

  /** A fresh self-signed EC P-256 CA, in memory. */
  public static CertificateAuthority generate(String commonName, Duration validity) throws GeneralSecurityException {
    KeyPair kp = newEcKey();
    Instant now = Instant.now();
    byte[] name = name(commonName);
    byte[] tbs = tbs(serial(), OID_ECDSA_SHA256, name, now.minusSeconds(60), now.plus(validity), name,
        kp.getPublic(), extensions(true, kp.getPublic(), kp.getPublic(), List.of(), List.of()));
    X509Certificate self = certificate(tbs, kp.getPrivate());
    return new CertificateAuthority(kp.getPrivate(), self);
  }

  static KeyPair newEcKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /**
   * A leaf (not a CA) for {@code subjectKey}: server and client auth, URI and DNS subject alternative names, valid
   * from..to but never beyond the CA itself.
   */
  public X509Certificate issue(PublicKey subjectKey, String commonName, List<String> uris, List<String> dnsNames,
                               Instant from, Instant to) throws GeneralSecurityException {
    Instant notAfter = to.isAfter(cert.getNotAfter().toInstant()) ? cert.getNotAfter().toInstant() : to;
    byte[] tbs = tbs(serial(), oidOf(key), cert.getSubjectX500Principal().getEncoded(), from, notAfter,
        commonName == null ? Der.seq() : name(commonName), subjectKey,
        extensions(false, subjectKey, cert.getPublicKey(), uris, dnsNames));
    return certificate(tbs, key);
  }

  // ---- encoding -------------------------------------------------------------------------------------------------

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static byte[] name(String cn) {
    return Der.seq(Der.set(Der.seq(Der.oid("2.5.4.3"), Der.utf8(cn))));
  }

  private static byte[] algorithm(String oid) {
    return OID_RSA_SHA256.equals(oid) ? Der.seq(Der.oid(oid), Der.nul()) : Der.seq(Der.oid(oid));
  }

  private static byte[] tbs(BigInteger serial, String sigOid, byte[] issuer, Instant from, Instant to, byte[] subject,
                            PublicKey key, byte[] extensions) {
    return Der.seq(Der.explicit(0, Der.integer(2)), Der.integer(serial), algorithm(sigOid), issuer,
        Der.seq(Der.time(from), Der.time(to)), subject, key.getEncoded(), Der.explicit(3, extensions));
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical ? Der.seq(Der.oid(oid), Der.bool(true), Der.octets(value)) : Der.seq(Der.oid(oid), Der.octets(value));
  }

  private static byte[] extensions(boolean ca, PublicKey subject, PublicKey issuer, List<String> uris,
                                   List<String> dns) throws GeneralSecurityException {
    List<byte[]> ext = new ArrayList<>();
    ext.add(extension("2.5.29.19", true, ca ? Der.seq(Der.bool(true), Der.integer(0)) : Der.seq()));
    // keyUsage: CA keyCertSign + cRLSign (bits 5, 6); leaf digitalSignature (bit 0)
    ext.add(extension("2.5.29.15", true, ca ? Der.tlv(Der.BIT_STRING, new byte[] {0x01, 0x06})
        : Der.tlv(Der.BIT_STRING, new byte[] {0x07, (byte) 0x80})));
    if (!ca) {
      ext.add(extension("2.5.29.37", false, Der.seq(Der.oid("1.3.6.1.5.5.7.3.1"), Der.oid("1.3.6.1.5.5.7.3.2"))));
      List<byte[]> names = new ArrayList<>();
      for (String u : uris) names.add(Der.implicitPrimitive(6, u.getBytes(StandardCharsets.US_ASCII)));
      for (String d : dns) names.add(Der.implicitPrimitive(2, d.getBytes(StandardCharsets.US_ASCII)));
      if (!names.isEmpty()) ext.add(extension("2.5.29.17", true, Der.seq(names.toArray(byte[][]::new))));
      ext.add(extension("2.5.29.35", false, Der.seq(Der.implicitPrimitive(0, keyId(issuer)))));
    }
    ext.add(extension("2.5.29.14", false, Der.octets(keyId(subject))));
    return Der.seq(ext.toArray(byte[][]::new));
  }

  /** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
  private static byte[] keyId(PublicKey k) throws GeneralSecurityException {
    Der.Element spki = Der.read(k.getEncoded());
    byte[] bits = spki.children().get(1).bitString();
    return MessageDigest.getInstance("SHA-1").digest(bits);
  }

  private static X509Certificate certificate(byte[] tbs, PrivateKey signer) throws GeneralSecurityException {
    Signature s = Signature.getInstance(signatureAlgorithm(signer));
    s.initSign(signer);
    s.update(tbs);
    byte[] der = Der.seq(tbs, algorithm(oidOf(signer)), Der.bits(s.sign()));
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  private static String signatureAlgorithm(PrivateKey k) throws GeneralSecurityException {
    if (k instanceof ECPrivateKey) return "SHA256withECDSA";
    if (k instanceof RSAPrivateKey) return "SHA256withRSA";
    throw new GeneralSecurityException("CA key must be EC or RSA, was " + k.getAlgorithm());
  }

  private static String oidOf(PrivateKey k) throws GeneralSecurityException {
    return "SHA256withECDSA".equals(signatureAlgorithm(k)) ? OID_ECDSA_SHA256 : OID_RSA_SHA256;
  }

  // ---- PEM ------------------------------------------------------------------------------------------------------

  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

  static String pem(X509Certificate c) {
    try {
      return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<X509Certificate> parseCertificates(String pem) throws GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    for (var c : CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  /** The first PEM block of one of the types; its DER. */
  static byte[] pemBlock(String text, String... types) throws GeneralSecurityException {
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      for (String t : types) {
        if (m.group(1).equals(t)) return Base64.getMimeDecoder().decode(m.group(2).trim());
      }
    }
    throw new GeneralSecurityException("no PEM block of type " + String.join(" / ", types));
  }

  static PrivateKey parsePrivateKey(String pem) throws GeneralSecurityException {
    Matcher m = PEM.matcher(pem);
    if (!m.find()) throw new GeneralSecurityException("no PEM private key");
    byte[] der = Base64.getMimeDecoder().decode(m.group(2).trim());
    String type = m.group(1);
    byte[] pkcs8;
    String alg;
    switch (type) {
      case "PRIVATE KEY" -> {
        pkcs8 = der;
        String oid = oidString(Der.read(der).children().get(1).children().get(0));
        alg = OID_RSA_KEY.equals(oid) ? "RSA" : OID_EC_KEY.equals(oid) ? "EC" : null;
        if (alg == null) throw new GeneralSecurityException("unsupported key algorithm " + oid);
      }
      case "RSA PRIVATE KEY" -> {
        pkcs8 = Der.seq(Der.integer(0), Der.seq(Der.oid(OID_RSA_KEY), Der.nul()), Der.octets(der));
        alg = "RSA";
      }
      case "EC PRIVATE KEY" -> {
        // SEC1: SEQ { 1, key OCTET STRING, [0] curve OID, [1] public key }: PKCS#8 wants the curve beside the key
        Der.Element curve = null;
        for (Der.Element e : Der.read(der).children()) if (e.tag() == 0xa0) curve = e.children().get(0);
        if (curve == null) throw new GeneralSecurityException("SEC1 EC key without its curve");
        pkcs8 = Der.seq(Der.integer(0), Der.seq(Der.oid(OID_EC_KEY), curve.encoded()), Der.octets(der));
        alg = "EC";
      }
      default -> throw new GeneralSecurityException("unsupported PEM key type " + type);
    }
    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  static String oidString(Der.Element e) {
    if (e.tag() != Der.OID) throw new IllegalArgumentException("not an OID");
    byte[] v = e.value();
    StringBuilder sb = new StringBuilder();
    int first = v[0] & 0xff;
    int arc = Math.min(2, first / 40);
    sb.append(arc).append('.').append(first - 40 * arc);
    long acc = 0;
    for (int i = 1; i < v.length; i++) {
      acc = (acc << 7) | (v[i] & 0x7f);
      if ((v[i] & 0x80) == 0) {
        sb.append('.').append(acc);
        acc = 0;
      }
    }
    return sb.toString();
  }
}
