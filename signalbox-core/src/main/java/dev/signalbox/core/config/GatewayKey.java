package dev.signalbox.core.config;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client key, stored only as its SHA-256 hex digest.
 *
 * @param tenantName the tenant its requests are traced under; the key's name when absent
 * @param routes the routes and models this key may call; empty means all
 * @param team the team it belongs to, whose limits ({@code limits.teams}) it shares
 * @param limits the key's own limits
 */
public record GatewayKey(
    String name,
    String keySha256,
    @com.fasterxml.jackson.annotation.JsonProperty("tenant") Optional<String> tenantName,
    Set<String> routes,
    Optional<String> team,
    Optional<LimitSpec> limits) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public GatewayKey {
    Objects.requireNonNull(name);
    checkDigest("key-sha256", keySha256);
    routes = Set.copyOf(routes);
  }

  /** A key of the given digest, tenant and routes. */
  public static GatewayKey of(String name, String sha256, String tenant, Set<String> routes) {
    return new GatewayKey(
        name, sha256, Optional.of(tenant), routes, Optional.empty(), Optional.empty());
  }

  static void checkDigest(String key, String digest) {
    if (!SHA256.matcher(digest).matches()) {
      throw new ConfigProblem(
          key,
          "expected 64 lower-case hex digits (sha256sum of the key), got "
              + digest.length()
              + " characters");
    }
  }

  public String sha256() {
    return keySha256;
  }

  public String tenant() {
    return tenantName.orElse(name);
  }

  public boolean allows(String route) {
    return routes.isEmpty() || routes.contains(route);
  }
}
