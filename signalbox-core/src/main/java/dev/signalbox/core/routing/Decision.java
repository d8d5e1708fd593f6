package dev.signalbox.core.routing;

import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.policy.Execution;
import java.util.List;

/** The router's answer: a plan to dispatch, or a rejection with its reasons. Both are traced. */
public sealed interface Decision {
  DecisionRecord record();

  /**
   * A plan to dispatch.
   *
   * @param route the route whose dispatch settings apply (the last one delegated to)
   * @param execution how that route's plan is run
   */
  record Routed(
      DecisionRecord record, List<PlannedAttempt> plan, RouteSpec route, Execution execution)
      implements Decision {
    public Routed {
      plan = List.copyOf(plan);
    }
  }

  record Rejected(DecisionRecord record, SignalboxException error) implements Decision {}
}
