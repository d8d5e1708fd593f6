package dev.signalbox.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a policy decided: an order over the candidates, or another route to decide instead. */
public sealed interface PolicyResult {

  /**
   * Candidates best first. {@code propensity} is the probability with which the policy picked the
   * first one (1 for deterministic policies), for off-policy evaluation; {@code probabilities} is
   * the whole distribution of that first pick over the candidates, which replay reads to estimate
   * another policy's value.
   */
  record Ranked(List<ScoredModel> order, double propensity, Map<String, Double> probabilities)
      implements PolicyResult {
    public Ranked {
      order = List.copyOf(order);
      probabilities = Map.copyOf(probabilities);
      if (!(propensity > 0 && propensity <= 1)) {
        throw new IllegalArgumentException("propensity must be in (0, 1], was " + propensity);
      }
    }

    /** A deterministic order: the first candidate with probability 1. */
    public static Ranked deterministic(List<ScoredModel> order) {
      return new Ranked(order, 1.0, order.isEmpty() ? Map.of() : Map.of(order.get(0).model(), 1.0));
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
