package dev.signalbox.api;

/**
 * Orders a route's eligible candidates. Pure and deterministic given its input: no clock, no I/O,
 * no randomness but the input's seed; this is what makes replay exact.
 */
public interface RoutingPolicy {
  /** The registered name, e.g. {@code cheapest}. */
  String name();

  /** Bumped whenever the same input could give a different decision. */
  default int version() {
    return 1;
  }

  PolicyResult decide(PolicyInput input);

  /**
   * Teaches the policy the feedback a request it decided got (its trace, and a score in [0, 1]),
   * off the caller's thread; false when the policy does not learn online.
   */
  default boolean learn(DecisionTrace trace, double score) {
    return false;
  }
}
