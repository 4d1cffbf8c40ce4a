package dev.procgroup.sidecar;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks the peer API's {@code Authorization: Bearer <token>} against the group token in constant time: both
 * sides are hashed first, so neither the content nor the length of the expected token leaks through timing.
 */
final class TokenCheck {
  private final byte[] expectedDigest;

  TokenCheck(String token) {
    this.expectedDigest = sha256(token);
  }

  boolean allows(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      // Still hash something so a missing header costs the same as a wrong one.
      MessageDigest.isEqual(expectedDigest, sha256(""));
      return false;
    }
    return MessageDigest.isEqual(expectedDigest, sha256(authorizationHeader.substring(7).trim()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
