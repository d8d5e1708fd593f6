package dev.signalbox.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Gateway keys and the admin key, as SHA-256 digests. Without keys the gateway serves loopback
 * only.
 *
 * @param adminKeySha256 the digest of the key the admin endpoints need; they are off without one
 * @param metricsKeySha256 the digest of the key {@code /metrics} and {@code /ready} need from a
 *     non-loopback client; without one they answer anyone who can reach them
 * @param keyStore where keys made through the admin API ({@code /admin/keys}) are kept, as digests;
 *     created with the first one
 */
public record AuthSettings(
    List<GatewayKey> keys,
    Optional<String> adminKeySha256,
    Optional<String> metricsKeySha256,
    @Default("signalbox-keys.db") Path keyStore) {
  public static final AuthSettings NONE =
      new AuthSettings(List.of(), Optional.empty(), Optional.empty(), Path.of("signalbox-keys.db"));

  public AuthSettings {
    keys = List.copyOf(keys);
    adminKeySha256.ifPresent(digest -> GatewayKey.checkDigest("admin-key-sha256", digest));
    metricsKeySha256.ifPresent(digest -> GatewayKey.checkDigest("metrics-key-sha256", digest));
  }
}
