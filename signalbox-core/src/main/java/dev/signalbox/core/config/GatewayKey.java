package dev.signalbox.core.config;

import java.util.Objects;
import java.util.Set;

/**
 * A client key, stored only as its SHA-256 hex digest.
 *
 * @param routes the routes and models this key may call; empty means all
 */
public record GatewayKey(String name, String sha256, String tenant, Set<String> routes) {
  public GatewayKey {
    Objects.requireNonNull(name);
    Objects.requireNonNull(sha256);
    Objects.requireNonNull(tenant);
    routes = Set.copyOf(routes);
  }

  public boolean allows(String route) {
    return routes.isEmpty() || routes.contains(route);
  }
}
