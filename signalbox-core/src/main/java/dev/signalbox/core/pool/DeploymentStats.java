package dev.signalbox.core.pool;

import dev.signalbox.api.DeploymentState;
import dev.signalbox.core.config.BreakerSpec;
import java.util.List;

/**
 * The live state of one deployment: load (counted at assignment, so a burst sees each assignment at
 * once), latency, and its {@link Breaker}. Every method holds the instance's lock and does a few
 * arithmetic steps; the breaker transitions a call made are drained by the pool afterwards, to be
 * told outside the lock.
 */
final class DeploymentStats {
  /** Weight of the newest sample in the latency means. */
  static final double EWMA_ALPHA = 0.2;

  /** Recent times to first token kept for the percentile. */
  static final int TTFT_SAMPLES = 128;

  private final Breaker breaker;
  private long inFlight;
  private long assigned;

  /** Requests the server reported beyond ours at its last measurement (other clients' load). */
  private long external;

  private long queuedPrompt;
  private long queuedOutput;
  private double ttft = Double.NaN;
  private double perToken = Double.NaN;
  private double outputTokens = Double.NaN;
  private final SlidingPercentile ttftP95 = new SlidingPercentile(0.95, TTFT_SAMPLES);

  DeploymentStats(String deployment, BreakerSpec spec) {
    this.breaker = new Breaker(deployment, spec);
  }

  synchronized void configure(BreakerSpec spec) {
    breaker.configure(spec);
  }

  /** Whether an attempt may go to this deployment now. */
  synchronized Admission admit(long now) {
    return breaker.admit(now);
  }

  synchronized void healthChecked(long now, boolean healthy) {
    breaker.healthChecked(now, healthy);
  }

  /** The server's own count of requests running and waiting: the load is re-anchored on it. */
  synchronized void anchor(long serverLoad) {
    external = Math.max(0, serverLoad - inFlight);
  }

  synchronized void started(long promptTokens, long predictedOutput) {
    inFlight++;
    assigned++;
    queuedPrompt += promptTokens;
    queuedOutput += predictedOutput;
  }

  /** The attempt ended; {@code probe} when it held a half-open permit. */
  private void ended(long promptTokens, long predictedOutput, boolean probe) {
    inFlight--;
    queuedPrompt -= promptTokens;
    queuedOutput -= predictedOutput;
    breaker.probeEnded(probe);
  }

  synchronized void succeeded(
      long now,
      long promptTokens,
      long predictedOutput,
      boolean probe,
      double ttftMillis,
      double millisPerToken,
      long completionTokens) {
    ended(promptTokens, predictedOutput, probe);
    if (completionTokens > 0) {
      outputTokens =
          Double.isNaN(outputTokens)
              ? completionTokens
              : outputTokens + EWMA_ALPHA * (completionTokens - outputTokens);
    }
    if (!Double.isNaN(ttftMillis)) {
      ttft = Double.isNaN(ttft) ? ttftMillis : ttft + EWMA_ALPHA * (ttftMillis - ttft);
      ttftP95.add(ttftMillis);
    }
    if (!Double.isNaN(millisPerToken)) {
      perToken =
          Double.isNaN(perToken)
              ? millisPerToken
              : perToken + EWMA_ALPHA * (millisPerToken - perToken);
    }
    breaker.succeeded(now, probe);
  }

  synchronized void failed(
      long now, long promptTokens, long predictedOutput, boolean probe, boolean rateLimited) {
    ended(promptTokens, predictedOutput, probe);
    breaker.failed(now, probe, rateLimited);
  }

  /** The attempt ended without telling anything of the deployment's health (the client left). */
  synchronized void abandoned(long promptTokens, long predictedOutput, boolean probe) {
    ended(promptTokens, predictedOutput, probe);
  }

  /** The mean answer length seen here, or NaN before the first answer. */
  synchronized double meanOutputTokens() {
    return outputTokens;
  }

  synchronized long lastFailureNanos() {
    return breaker.lastFailureNanos();
  }

  synchronized List<BreakerListener.Transition> drainTransitions() {
    return breaker.drainTransitions();
  }

  synchronized DeploymentState snapshot(long now) {
    return new DeploymentState(
        inFlight + external,
        queuedPrompt,
        queuedOutput,
        breaker.consecutiveFailures(),
        thousandths(breaker.errorRate(now)),
        breaker.rateLimited(now),
        thousandths(ttft),
        thousandths(ttftP95.value()),
        thousandths(perToken),
        breaker.shown(now).label(),
        assigned);
  }

  /** Values as the trace keeps them, so a policy reads exactly what replay will give it. */
  private static double thousandths(double value) {
    return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : value;
  }
}
