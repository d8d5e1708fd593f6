package dev.signalbox.core.learn;

import dev.signalbox.core.config.RouteSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The learners of a gateway's bandit routes, one per route and artifact, kept across config reloads
 * so that a reload neither forgets what was learned nor starts a second learner on the same file.
 */
public final class BanditLearners {
  private static final BanditLearners SHARED = new BanditLearners();
  private final Map<String, BanditLearner> learners = new ConcurrentHashMap<>();

  public static BanditLearners shared() {
    return SHARED;
  }

  public BanditLearner forRoute(RouteSpec route, LearnedArtifact artifact) {
    String key =
        route.name()
            + "|"
            + artifact.dataHash()
            + "|"
            + route.models()
            + "|"
            + route.learning().bandit().state().map(Object::toString).orElse("");
    return learners.computeIfAbsent(
        key,
        k ->
            new BanditLearner(
                route.models(),
                BanditPolicy.dimensions(artifact),
                route.learning().bandit().state()));
  }

  /** The learner of a route, if it is a bandit route that has decided. */
  public java.util.Optional<BanditLearner> ofRoute(String route) {
    return learners.entrySet().stream()
        .filter(e -> e.getKey().startsWith(route + "|"))
        .map(Map.Entry::getValue)
        .reduce((a, b) -> b);
  }
}
