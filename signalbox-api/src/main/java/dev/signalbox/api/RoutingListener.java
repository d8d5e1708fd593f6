package dev.signalbox.api;

import java.time.Duration;

/**
 * Paired events of one request's life, for metrics and logs. Implementations are fast, never throw
 * and never call back into the gateway; every method has a no-op default.
 */
public interface RoutingListener {
  default void requestStart(String requestId, ChatRequest request) {}

  default void attemptStart(String requestId, PlanStep step, int attempt) {}

  default void firstToken(String requestId, PlanStep step, Duration timeToFirstToken) {}

  default void attemptEnd(String requestId, AttemptTrace attempt) {}

  default void fallback(String requestId, PlanStep from, String reason) {}

  /** The last event of every request, whatever its outcome. */
  default void requestEnd(DecisionTrace trace, Duration duration) {}

  RoutingListener NONE = new RoutingListener() {};
}
