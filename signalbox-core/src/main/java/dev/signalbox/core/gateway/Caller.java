package dev.signalbox.core.gateway;

import java.util.Map;
import java.util.Set;

/**
 * Who sent a request: the tenant of their key, the routes it may use (empty: all), the headers.
 *
 * @param headers request headers, names in lower case
 */
public record Caller(String tenant, Set<String> allowedRoutes, Map<String, String> headers) {
  public Caller {
    allowedRoutes = Set.copyOf(allowedRoutes);
    headers = Map.copyOf(headers);
  }

  public boolean allows(String route) {
    return allowedRoutes.isEmpty() || allowedRoutes.contains(route);
  }
}
