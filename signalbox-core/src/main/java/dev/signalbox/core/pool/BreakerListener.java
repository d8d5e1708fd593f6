package dev.signalbox.core.pool;

/**
 * Told of every change of a deployment's breaker state, after the change, never under the pool's
 * locks. Implementations are fast and never throw.
 */
@FunctionalInterface
public interface BreakerListener {
  void transitioned(Transition transition);

  BreakerListener NONE = transition -> {};

  /** Both listeners hear every transition, this one first. */
  default BreakerListener andThen(BreakerListener next) {
    return transition -> {
      transitioned(transition);
      next.transitioned(transition);
    };
  }

  /**
   * One change of state.
   *
   * @param cause what moved it: a failed attempt, an error rate, a cooldown that passed, a probe's
   *     answer, a health check
   */
  record Transition(String deployment, BreakerState from, BreakerState to, String cause) {}
}
