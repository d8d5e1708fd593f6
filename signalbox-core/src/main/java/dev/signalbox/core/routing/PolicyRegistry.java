package dev.signalbox.core.routing;

import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.core.config.RouteSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The built-in policies by name; an unknown name fails, listing the known ones. */
public final class PolicyRegistry {
  private final Map<String, Function<RouteSpec, RoutingPolicy>> factories = new LinkedHashMap<>();

  private PolicyRegistry() {}

  public static PolicyRegistry builtIn() {
    PolicyRegistry registry = new PolicyRegistry();
    registry.factories.put(PriorityPolicy.NAME, route -> new PriorityPolicy());
    registry.factories.put(WeightedPolicy.NAME, route -> new WeightedPolicy(route.weights()));
    registry.factories.put(CheapestPolicy.NAME, route -> new CheapestPolicy());
    registry.factories.put(ScorePolicy.NAME, route -> new ScorePolicy(route.threshold().orElseThrow()));
    registry.factories.put(RulesPolicy.NAME, route -> new RulesPolicy(route.rules(), route.defaultRoute()));
    return registry;
  }

  public Set<String> names() {
    return factories.keySet();
  }

  public RoutingPolicy create(RouteSpec route) {
    Function<RouteSpec, RoutingPolicy> factory = factories.get(route.policy());
    if (factory == null) {
      throw new IllegalArgumentException(
          "unknown policy '" + route.policy() + "' (known: " + String.join(", ", factories.keySet()) + ")");
    }
    return factory.apply(route);
  }
}
