package dev.signalbox.api;

import java.util.Objects;

/**
 * What the pool knows of one deployment when a decision is made. Latencies are NaN until measured.
 *
 * @param inFlight requests under way now, counted from the moment they are assigned
 * @param queuedPromptTokens the prompt tokens of the requests under way
 * @param queuedOutputTokens the output tokens they are predicted to produce and have not yet
 * @param consecutiveFailures failed attempts in a row, reset by a success
 * @param errorRate the share of failed attempts in the breaker's window (429s not counted)
 * @param rateLimited 429 answers in that window
 * @param ttftMillis exponentially weighted mean time to first token (or to the whole answer)
 * @param p95TtftMillis the 95th percentile of recent times to first token
 * @param millisPerToken exponentially weighted mean time per output token after the first
 * @param breaker "closed", "open" or "half-open"
 * @param assigned attempts ever assigned to it (what round robin evens out)
 */
public record DeploymentState(
    long inFlight,
    long queuedPromptTokens,
    long queuedOutputTokens,
    long consecutiveFailures,
    double errorRate,
    long rateLimited,
    double ttftMillis,
    double p95TtftMillis,
    double millisPerToken,
    String breaker,
    long assigned) {
  public static final String CLOSED = "closed";
  public static final String OPEN = "open";
  public static final String HALF_OPEN = "half-open";
  public static final DeploymentState IDLE =
      new DeploymentState(0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, CLOSED, 0);

  public DeploymentState {
    Objects.requireNonNull(breaker, "breaker");
  }

  /**
   * A deployment that has only its in-flight count and failure streak, as older traces recorded it.
   */
  public static DeploymentState of(long inFlight, long consecutiveFailures) {
    return new DeploymentState(
        inFlight, 0, 0, consecutiveFailures, 0, 0, Double.NaN, Double.NaN, Double.NaN, CLOSED, 0);
  }

  public boolean open() {
    return breaker.equals(OPEN);
  }
}
