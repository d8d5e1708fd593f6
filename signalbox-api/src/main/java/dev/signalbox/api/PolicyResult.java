package dev.signalbox.api;

import java.util.List;
import java.util.Objects;

/** What a policy decided: an order over the candidates, or another route to decide instead. */
public sealed interface PolicyResult {

  /**
   * Candidates best first. {@code propensity} is the probability with which the policy picked the
   * first one (1 for deterministic policies), for off-policy evaluation.
   */
  record Ranked(List<ScoredModel> order, double propensity) implements PolicyResult {
    public Ranked {
      order = List.copyOf(order);
      if (!(propensity > 0 && propensity <= 1)) {
        throw new IllegalArgumentException("propensity must be in (0, 1], was " + propensity);
      }
    }
  }

  /** Hand the request to another route, e.g. because a rule matched. */
  record Delegated(String route, String reason) implements PolicyResult {
    public Delegated {
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
