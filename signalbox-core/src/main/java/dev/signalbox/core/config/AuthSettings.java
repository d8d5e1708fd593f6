package dev.signalbox.core.config;

import java.util.List;
import java.util.Optional;

/**
 * Gateway keys and the admin key, as SHA-256 digests. Without keys the gateway serves loopback
 * only.
 */
public record AuthSettings(List<GatewayKey> keys, Optional<String> adminKeySha256) {
  public static final AuthSettings NONE = new AuthSettings(List.of(), Optional.empty());

  public AuthSettings {
    keys = List.copyOf(keys);
  }
}
