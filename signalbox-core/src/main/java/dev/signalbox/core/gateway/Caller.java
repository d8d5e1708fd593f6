package dev.signalbox.core.gateway;

import dev.signalbox.core.limits.Scope;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who sent a request: the tenant of their key, the routes it may use (empty: all), the headers, and
 * the scopes whose limits its requests count against (its key, team and tenant).
 *
 * @param headers request headers, names in lower case
 */
public record Caller(
    String tenant,
    Set<String> allowedRoutes,
    Map<String, String> headers,
    List<Scope.Bound> bounds) {
  public Caller {
    allowedRoutes = Set.copyOf(allowedRoutes);
    headers = Map.copyOf(headers);
    bounds = List.copyOf(bounds);
  }

  /** A caller under no limits. */
  public Caller(String tenant, Set<String> allowedRoutes, Map<String, String> headers) {
    this(tenant, allowedRoutes, headers, List.of());
  }

  public boolean allows(String route) {
    return allowedRoutes.isEmpty() || allowedRoutes.contains(route);
  }
}
