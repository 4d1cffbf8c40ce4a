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
  /** Reused: a check runs on the sidecar's single event loop only. */
  private final MessageDigest digest;

  TokenCheck(String token) {
    this.digest = newDigest();
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

  private byte[] sha256(String s) {
    return digest.digest(s.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
