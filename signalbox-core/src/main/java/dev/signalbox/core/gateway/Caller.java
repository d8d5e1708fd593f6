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
 * @param key the name of the caller's key, or "" (a keyless gateway)
 * @param team that key's team, or ""
 */
public record Caller(
    String tenant,
    Set<String> allowedRoutes,
    Map<String, String> headers,
    List<Scope.Bound> bounds,
    String key,
    String team) {
  public Caller {
    allowedRoutes = Set.copyOf(allowedRoutes);
    headers = Map.copyOf(headers);
    bounds = List.copyOf(bounds);
  }

  /** A caller with no key named. */
  public Caller(
      String tenant,
      Set<String> allowedRoutes,
      Map<String, String> headers,
      List<Scope.Bound> bounds) {
    this(tenant, allowedRoutes, headers, bounds, "", "");
  }

  /** A caller under no limits. */
  public Caller(String tenant, Set<String> allowedRoutes, Map<String, String> headers) {
    this(tenant, allowedRoutes, headers, List.of());
  }

  public boolean allows(String route) {
    return allowedRoutes.isEmpty() || allowedRoutes.contains(route);
  }
}
