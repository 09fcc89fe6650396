package dev.hcn.api.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks an {@code Authorization: Bearer ...} header in constant time: both sides are hashed to the
 * same length first, so neither the position of the first wrong character nor the token's length
 * shows in the time taken. With no token configured nothing matches, not even an empty header.
 */
final class BearerToken {

  private static final String SCHEME = "Bearer ";

  /** Null when no token is configured. */
  private final byte[] expectedDigest;

  BearerToken(String token) {
    this.expectedDigest = token == null || token.isBlank() ? null : sha256(token);
  }

  boolean matches(String authorization) {
    if (expectedDigest == null) {
      return false;
    }
    String presented =
        authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
            ? authorization.substring(SCHEME.length()).strip()
            : "";
    return MessageDigest.isEqual(sha256(presented), expectedDigest);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
