package dev.signalbox.core.keys;

import dev.signalbox.core.config.GatewayKey;
import dev.signalbox.core.config.LimitSpec;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A key made through the admin API. Its secret is shown once, at creation or rotation; only its
 * digest and its first characters (to recognise it in a list) are kept. After a rotation the
 * previous digest stays valid until {@code previousUntil}.
 */
public record VirtualKey(
    String id,
    String name,
    String prefix,
    String sha256,
    String tenant,
    Optional<String> team,
    Set<String> routes,
    LimitSpec limits,
    Instant created,
    Optional<Instant> expires,
    Optional<Instant> revoked,
    Optional<String> previousSha256,
    Optional<Instant> previousUntil) {
  public VirtualKey {
    routes = Set.copyOf(routes);
  }

  /** Whether a key with this digest is this one, valid at {@code now}. */
  public boolean accepts(String digest, Instant now) {
    if (revoked.isPresent() || expires.filter(at -> !now.isBefore(at)).isPresent()) {
      return false;
    }
    return digest.equals(sha256)
        || previousSha256.filter(digest::equals).isPresent()
            && previousUntil.filter(now::isBefore).isPresent();
  }

  /**
   * This key with a new secret; the old one stays valid until {@code previousUntil}, when given.
   */
  public VirtualKey rotated(String newPrefix, String newSha256, Optional<Instant> previousUntil) {
    return new VirtualKey(
        id,
        name,
        newPrefix,
        newSha256,
        tenant,
        team,
        routes,
        limits,
        created,
        expires,
        Optional.empty(),
        previousUntil.map(until -> sha256),
        previousUntil);
  }

  /** This key revoked at {@code at}: no secret of it, current or previous, is valid. */
  public VirtualKey revokedAt(Instant at) {
    return new VirtualKey(
        id,
        name,
        prefix,
        sha256,
        tenant,
        team,
        routes,
        limits,
        created,
        expires,
        Optional.of(at),
        Optional.empty(),
        Optional.empty());
  }

  /** As the authenticator reads a key: its tenant, routes, team and limits. */
  public GatewayKey asGatewayKey() {
    return new GatewayKey(
        name,
        sha256,
        Optional.of(tenant),
        routes,
        team,
        limits.limitsAnything() ? Optional.of(limits) : Optional.empty());
  }
}
