package dev.procgroup.sidecar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;

/**
 * A PKCS#10 certificate signing request for an EC P-256 key, DER-encoded by hand: the JDK has no public API for
 * CSRs, and BouncyCastle (8 MB, thousands of classes) is too much for a process paid once per pod. The subject is a
 * bare common name; the issuer ignores it and names the certificate after the verified ServiceAccount (SECURITY.md).
 */
final class Csr {
  private Csr() {}

  private static final byte[] OID_ECDSA_SHA256 = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
  private static final byte[] OID_CN = {0x55, 0x04, 0x03};

  /** PEM of a CSR signed with {@code keys} (SHA256withECDSA), subject {@code CN=<commonName>}. */
  static String pem(KeyPair keys, String commonName) throws GeneralSecurityException {
    byte[] subject = seq(set(seq(tlv(0x06, OID_CN), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] info = seq(tlv(0x02, new byte[] {0}), subject, keys.getPublic().getEncoded(), tlv(0xa0, new byte[0]));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(keys.getPrivate());
    s.update(info);
    byte[] sig = s.sign();
    byte[] bitString = new byte[sig.length + 1];
    System.arraycopy(sig, 0, bitString, 1, sig.length);
    byte[] der = seq(info, seq(tlv(0x06, OID_ECDSA_SHA256)), tlv(0x03, bitString));
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 128) {
      out.write(n);
    } else {
      int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) out.write(n >> (8 * i));
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
