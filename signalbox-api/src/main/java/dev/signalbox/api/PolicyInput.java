package dev.signalbox.api;

import java.util.List;
import java.util.Objects;

/**
 * Everything a policy may read: the request's signals, the eligible candidates, the pool, a seed.
 */
public record PolicyInput(
    Signals signals, List<Candidate> candidates, PoolSnapshot pool, long seed) {
  public PolicyInput {
    Objects.requireNonNull(signals, "signals");
    candidates = List.copyOf(candidates);
    Objects.requireNonNull(pool, "pool");
  }
}
