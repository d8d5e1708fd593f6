package dev.signalbox.core.learn;

import dev.signalbox.core.config.BanditPolicySpec;
import dev.signalbox.core.config.RouteSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The learners of a gateway's bandit routes, one per route and artifact, kept across config reloads
 * so that a reload neither forgets what was learned nor starts a second learner on the same file.
 * Updates run one at a time on {@code updates}.
 */
public final class BanditLearners implements AutoCloseable {
  private final Map<String, BanditLearner> learners = new ConcurrentHashMap<>();
  private final Executor updates;

  public BanditLearners(Executor updates) {
    this.updates = updates;
  }

  public BanditLearner forRoute(RouteSpec route, BanditPolicySpec spec, LearnedArtifact artifact) {
    String key =
        route.name()
            + "|"
            + artifact.dataHash()
            + "|"
            + route.models()
            + "|"
            + spec.bandit().state().map(Object::toString).orElse("");
    return learners.computeIfAbsent(
        key,
        k ->
            new BanditLearner(
                route.models(),
                BanditLearner.dimensions(artifact),
                spec.bandit().state(),
                updates));
  }

  @Override
  public void close() {
    learners.values().forEach(BanditLearner::close);
  }
}
