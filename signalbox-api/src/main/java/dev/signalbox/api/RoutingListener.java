package dev.signalbox.api;

import java.time.Duration;
import java.util.Map;

/**
 * Paired events of one request's life, in OkHttp's {@code EventListener} shape: a {@link Factory}
 * makes one listener per request, so a listener may keep per-request state in fields. Every start
 * has its end or failed event; {@link #decided} carries the router's decision. Implementations are
 * fast and never throw; the gateway never calls them under one of its locks, and they never call
 * back into it. Every method has a no-op default.
 */
public interface RoutingListener {
  default void requestStart(ChatRequest request) {}

  /** The router decided: the plan, or the refusal, with what it read and why. */
  default void decided(DecisionRecord decision) {}

  default void attemptStart(PlanStep step, int attempt) {}

  /**
   * The headers that carry this request's trace to the upstream of the attempt that this thread has
   * just started (W3C {@code traceparent}, {@code tracestate}); empty when the listener traces
   * nothing. Called right after {@link #attemptStart}, on its thread.
   */
  default Map<String, String> attemptContext() {
    return Map.of();
  }

  default void firstToken(PlanStep step, Duration timeToFirstToken) {}

  /** An attempt that answered, or whose stream ended well. */
  default void attemptEnd(AttemptTrace attempt) {}

  /** An attempt that failed, was skipped (its circuit open) or lost a hedge. */
  default void attemptFailed(AttemptTrace attempt) {}

  default void fallback(PlanStep from, String reason) {}

  /**
   * A cascade's stage begins (numbered from 1); the attempts that follow, until its end, are its
   * samples.
   */
  default void cascadeStageStart(int stage, String model) {}

  /** A cascade's stage ended, with its verdict. */
  default void cascadeStageEnd(CascadeStepTrace stage) {}

  /**
   * The answer a request got, just before {@link #requestEnd}: why the model stopped ({@code stop},
   * {@code length}, {@code tool_calls}) and its text.
   */
  default void answered(String finishReason, String answer) {}

  /** The last event of a request that was answered. */
  default void requestEnd(DecisionTrace trace, Duration duration) {}

  /** The last event of a request that was not: refused, failed, broken, cancelled. */
  default void requestFailed(DecisionTrace trace, Duration duration) {}

  RoutingListener NONE = new RoutingListener() {};

  /** Makes the listener of each request. */
  @FunctionalInterface
  interface Factory {
    RoutingListener create(String requestId, ChatRequest request);

    /** As {@link #create(String, ChatRequest)}, with the client's headers (lower-case names). */
    default RoutingListener create(
        String requestId, ChatRequest request, Map<String, String> headers) {
      return create(requestId, request);
    }

    Factory NONE = (requestId, request) -> RoutingListener.NONE;

    /** One listener shared by every request (it keeps no per-request state). */
    static Factory of(RoutingListener shared) {
      return (requestId, request) -> shared;
    }
  }
}
