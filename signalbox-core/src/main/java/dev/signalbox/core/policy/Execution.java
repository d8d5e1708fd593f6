package dev.signalbox.core.policy;

import dev.signalbox.core.config.CascadeSpec;

/** How the gateway runs the plan a policy ranked. */
public sealed interface Execution {
  /** Attempt by attempt: retries, fallbacks, hedging as the route says. */
  record Plan() implements Execution {}

  /**
   * Stage by stage, cheapest model first: each stage's answer is checked and served only when the
   * checks pass.
   */
  record Cascade(CascadeSpec spec) implements Execution {}
}
