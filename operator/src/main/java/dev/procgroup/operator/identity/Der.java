package dev.procgroup.operator.identity;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The little DER (X.690) the issuer needs: writing certificates, reading CSRs and PKCS#1 keys. The JDK can parse and
 * verify X.509 but has no public API to build a certificate or parse a PKCS#10 request; the sidecar side has its own
 * writer ({@code sidecar/.../Csr.java}) so that neither needs BouncyCastle.
 */
final class Der {
  private Der() {}

  static final int INTEGER = 0x02, BIT_STRING = 0x03, OCTET_STRING = 0x04, NULL = 0x05, OID = 0x06, UTF8 = 0x0c,
      UTC_TIME = 0x17, GENERALIZED_TIME = 0x18, SEQUENCE = 0x30, SET = 0x31;

  // ---- writing ------------------------------------------------------------------------------------------------

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

  static byte[] seq(byte[]... parts) {
    return tlv(SEQUENCE, concat(parts));
  }

  static byte[] set(byte[]... parts) {
    return tlv(SET, concat(parts));
  }

  static byte[] integer(BigInteger v) {
    return tlv(INTEGER, v.toByteArray());
  }

  static byte[] integer(long v) {
    return integer(BigInteger.valueOf(v));
  }

  static byte[] bool(boolean v) {
    return tlv(0x01, new byte[] {(byte) (v ? 0xff : 0)});
  }

  static byte[] utf8(String s) {
    return tlv(UTF8, s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] octets(byte[] v) {
    return tlv(OCTET_STRING, v);
  }

  static byte[] bits(byte[] v) {
    byte[] b = new byte[v.length + 1];
    System.arraycopy(v, 0, b, 1, v.length);
    return tlv(BIT_STRING, b);
  }

  static byte[] nul() {
    return tlv(NULL, new byte[0]);
  }

  /** {@code [n] EXPLICIT} (constructed, context-specific). */
  static byte[] explicit(int n, byte[] inner) {
    return tlv(0xa0 | n, inner);
  }

  /** {@code [n] IMPLICIT} of a primitive (context-specific, primitive). */
  static byte[] implicitPrimitive(int n, byte[] value) {
    return tlv(0x80 | n, value);
  }

  /** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
  static byte[] time(Instant t) {
    var z = t.atZone(ZoneOffset.UTC);
    if (z.getYear() < 2050) {
      return tlv(UTC_TIME, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").format(z).getBytes(StandardCharsets.US_ASCII));
    }
    return tlv(GENERALIZED_TIME, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").format(z)
        .getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] oid(String dotted) {
    String[] p = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(p[0]) * 40 + Integer.parseInt(p[1]));
    for (int i = 2; i < p.length; i++) {
      long v = Long.parseLong(p[i]);
      byte[] tmp = new byte[10];
      int n = 0;
      do {
        tmp[n++] = (byte) (v & 0x7f);
        v >>= 7;
      } while (v > 0);
      for (int j = n - 1; j >= 0; j--) out.write(tmp[j] | (j > 0 ? 0x80 : 0));
    }
    return tlv(OID, out.toByteArray());
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  // ---- reading ------------------------------------------------------------------------------------------------

  /** One element of a DER buffer: its tag, and where its encoding and its value start and end. */
  record Element(byte[] buf, int tag, int start, int valueStart, int end) {
    byte[] value() {
      byte[] v = new byte[end - valueStart];
      System.arraycopy(buf, valueStart, v, 0, v.length);
      return v;
    }

    /** The whole encoding (tag, length, value). */
    byte[] encoded() {
      byte[] v = new byte[end - start];
      System.arraycopy(buf, start, v, 0, v.length);
      return v;
    }

    List<Element> children() {
      List<Element> out = new ArrayList<>();
      int pos = valueStart;
      while (pos < end) {
        Element e = read(buf, pos, end);
        out.add(e);
        pos = e.end;
      }
      return out;
    }

    /** A BIT STRING's bits (the unused-bits byte must be 0). */
    byte[] bitString() {
      if (tag != BIT_STRING || end - valueStart < 1 || buf[valueStart] != 0) {
        throw new IllegalArgumentException("not a whole-byte BIT STRING");
      }
      byte[] v = new byte[end - valueStart - 1];
      System.arraycopy(buf, valueStart + 1, v, 0, v.length);
      return v;
    }
  }

  static Element read(byte[] buf) {
    Element e = read(buf, 0, buf.length);
    if (e.end != buf.length) throw new IllegalArgumentException("trailing bytes after the DER value");
    return e;
  }

  static Element read(byte[] buf, int pos, int limit) {
    if (pos + 2 > limit) throw new IllegalArgumentException("truncated DER");
    int tag = buf[pos] & 0xff;
    if ((tag & 0x1f) == 0x1f) throw new IllegalArgumentException("multi-byte DER tags are not used here");
    int len = buf[pos + 1] & 0xff;
    int valueStart = pos + 2;
    if (len >= 0x80) {
      int bytes = len & 0x7f;
      if (bytes == 0 || bytes > 4 || valueStart + bytes > limit) throw new IllegalArgumentException("bad DER length");
      len = 0;
      for (int i = 0; i < bytes; i++) len = (len << 8) | (buf[valueStart + i] & 0xff);
      valueStart += bytes;
      if (len < 0) throw new IllegalArgumentException("bad DER length");
    }
    int end = valueStart + len;
    if (end > limit || end < valueStart) throw new IllegalArgumentException("DER value runs past its container");
    return new Element(buf, tag, pos, valueStart, end);
  }
}
