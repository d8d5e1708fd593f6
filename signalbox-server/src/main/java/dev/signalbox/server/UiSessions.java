package dev.signalbox.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The dashboard's logins: a person who gave the admin key gets a random session token in an
 * HttpOnly, SameSite=Strict cookie, valid while used (idle for 8 hours, it ends). The key itself
 * never leaves the login request; tokens live in this process only, so a restart logs everyone out.
 */
public final class UiSessions {
  static final String COOKIE = "signalbox_session";
  private static final Duration IDLE = Duration.ofHours(8);

  private final Cache<String, Boolean> sessions;
  private final SecureRandom random;

  public UiSessions(SecureRandom random, Ticker ticker) {
    this.random = random;
    this.sessions =
        Caffeine.newBuilder().expireAfterAccess(IDLE).maximumSize(10_000).ticker(ticker).build();
  }

  /** A new session's token. */
  String open() {
    byte[] token = new byte[32];
    random.nextBytes(token);
    String id = HexFormat.of().formatHex(token);
    sessions.put(id, Boolean.TRUE);
    return id;
  }

  void close(String token) {
    sessions.invalidate(token);
  }

  /** Whether a request's {@code Cookie} header carries a live session. */
  public boolean valid(Optional<String> cookieHeader) {
    return token(cookieHeader).map(t -> sessions.getIfPresent(t) != null).orElse(false);
  }

  static Optional<String> token(Optional<String> cookieHeader) {
    if (cookieHeader.isEmpty()) {
      return Optional.empty();
    }
    for (String pair : cookieHeader.get().split(";")) {
      String trimmed = pair.trim();
      if (trimmed.startsWith(COOKIE + "=")) {
        return Optional.of(trimmed.substring(COOKIE.length() + 1));
      }
    }
    return Optional.empty();
  }

  static String cookie(String token, Duration maxAge) {
    return COOKIE
        + "="
        + token
        + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
        + maxAge.toSeconds();
  }

  static Duration idle() {
    return IDLE;
  }
}
