package dev.signalbox.core.routing;

import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.core.cascade.CascadePolicy;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.learn.BanditPolicy;
import dev.signalbox.core.learn.DomainClassifier;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.learn.ObjectivePolicy;
import dev.signalbox.core.learn.ThresholdPolicy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The built-in policies by name; an unknown name fails, listing the known ones. Learned policies
 * get their artifact from the registry's {@link ArtifactSource}: the route's file when serving, a
 * fit of the fold when evaluating.
 */
public final class PolicyRegistry {
  private final Map<String, BiFunction<RouteSpec, ArtifactSource, RoutingPolicy>> factories =
      new LinkedHashMap<>();
  private final ArtifactSource artifacts;

  private PolicyRegistry(ArtifactSource artifacts) {
    this.artifacts = artifacts;
  }

  public static PolicyRegistry builtIn() {
    return builtIn(ArtifactSource.FILES);
  }

  public static PolicyRegistry builtIn(ArtifactSource artifacts) {
    PolicyRegistry registry = new PolicyRegistry(artifacts);
    registry.factories.put(PriorityPolicy.NAME, (route, a) -> new PriorityPolicy());
    registry.factories.put(WeightedPolicy.NAME, (route, a) -> new WeightedPolicy(route.weights()));
    registry.factories.put(CheapestPolicy.NAME, (route, a) -> new CheapestPolicy());
    registry.factories.put(
        ScorePolicy.NAME, (route, a) -> new ScorePolicy(route.threshold().orElseThrow()));
    registry.factories.put(
        RulesPolicy.NAME,
        (route, a) ->
            new RulesPolicy(
                route.rules(),
                route.defaultRoute(),
                route
                    .learning()
                    .domains()
                    .map(spec -> new DomainClassifier(spec, Embeddings.offline()))));
    registry.factories.put(CascadePolicy.NAME, (route, a) -> new CascadePolicy(route.cascade()));
    registry.factories.put(
        ThresholdPolicy.NAME, (route, a) -> new ThresholdPolicy(route, a.artifactFor(route)));
    registry.factories.put(
        ObjectivePolicy.NAME, (route, a) -> new ObjectivePolicy(route, a.artifactFor(route)));
    registry.factories.put(
        BanditPolicy.NAME,
        (route, a) -> {
          LearnedArtifact artifact = a.artifactFor(route);
          return new BanditPolicy(route, artifact, a.learnerFor(route, artifact));
        });
    return registry;
  }

  /** The same policies, with learned routes' artifacts from {@code source}. */
  public PolicyRegistry withArtifacts(ArtifactSource source) {
    PolicyRegistry copy = new PolicyRegistry(source);
    copy.factories.putAll(factories);
    return copy;
  }

  public Set<String> names() {
    return factories.keySet();
  }

  public RoutingPolicy create(RouteSpec route) {
    BiFunction<RouteSpec, ArtifactSource, RoutingPolicy> factory = factories.get(route.policy());
    if (factory == null) {
      throw new IllegalArgumentException(
          "unknown policy '"
              + route.policy()
              + "' (known: "
              + String.join(", ", factories.keySet())
              + ")");
    }
    return factory.apply(route, artifacts);
  }
}
