package dev.signalbox.core.policy;

import dev.signalbox.api.Signals;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The setting a route trades quality for cost with, which {@code eval} sweeps to draw its curve.
 */
public sealed interface Knob {
  /** No setting: the route is one point. */
  record None() implements Knob {}

  /**
   * A threshold between two models (RouteLLM's shape): a request goes to {@code strong} when its
   * score is at least the threshold. {@code score} is NaN where a request has none.
   */
  record Threshold(String strong, String weak, ToDoubleFunction<Signals> score) implements Knob {
    public Threshold {
      Objects.requireNonNull(strong);
      Objects.requireNonNull(weak);
      Objects.requireNonNull(score);
    }
  }

  /** A fixed list of settings; {@code choice} names the model a request goes to at one of them. */
  record Grid(List<String> labels, Choice choice) implements Knob {
    public Grid {
      labels = List.copyOf(labels);
    }
  }

  /** The model chosen for a request at a grid setting. */
  @FunctionalInterface
  interface Choice {
    String choose(Signals signals, int setting);
  }
}
