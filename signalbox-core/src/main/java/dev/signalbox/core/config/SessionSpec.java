package dev.signalbox.core.config;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * How a route treats an agent's session (its id from {@code x-signalbox-session-id}, else {@code
 * metadata.session_id}, else {@code user}): the route's {@code session} settings and its {@code
 * session-budget-usd} together.
 *
 * @param sticky whether a session keeps its model from step to step
 * @param stickyMargin another model takes over only when its score beats the kept model's by more
 * @param idleTimeout a session idle this long is forgotten
 * @param budgetUsd what a session may spend in all (the header {@code
 *     x-signalbox-session-budget-usd} overrides it); a step whose estimated cost does not fit is
 *     downgraded or refused
 */
public record SessionSpec(
    boolean sticky, double stickyMargin, Duration idleTimeout, OptionalDouble budgetUsd) {
  public static final SessionSpec NONE =
      new SessionSpec(false, 0.05, Duration.ofMinutes(30), OptionalDouble.empty());
  public static final String BUDGET_HEADER = "x-signalbox-session-budget-usd";

  public boolean active() {
    return sticky || budgetUsd.isPresent();
  }

  /** A route's {@code session:} settings as written. */
  public record Settings(
      @Default("true") boolean sticky,
      @Default("0.05") @Range(min = 0, max = 1e6) double stickyMargin,
      @Default("30m") Duration idleTimeout) {}
}
