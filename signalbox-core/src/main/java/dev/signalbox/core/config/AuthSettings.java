package dev.signalbox.core.config;

import java.util.List;
import java.util.Optional;

/**
 * Gateway keys and the admin key, as SHA-256 digests. Without keys the gateway serves loopback
 * only.
 *
 * @param adminKeySha256 the digest of the key the admin endpoints need; they are off without one
 */
public record AuthSettings(List<GatewayKey> keys, Optional<String> adminKeySha256) {
  public static final AuthSettings NONE = new AuthSettings(List.of(), Optional.empty());

  public AuthSettings {
    keys = List.copyOf(keys);
    adminKeySha256.ifPresent(digest -> GatewayKey.checkDigest("admin-key-sha256", digest));
  }
}
