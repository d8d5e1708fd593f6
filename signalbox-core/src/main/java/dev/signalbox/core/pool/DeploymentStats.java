package dev.signalbox.core.pool;

import dev.signalbox.api.DeploymentState;
import dev.signalbox.core.config.BreakerSpec;
import java.util.Arrays;

/**
 * The live state of one deployment: load (counted at assignment, so a burst sees each assignment at
 * once), latency, recent errors and its circuit breaker. Every method holds the instance's lock;
 * each does a few arithmetic steps.
 */
final class DeploymentStats {
  /** Weight of the newest sample in the latency means. */
  static final double EWMA_ALPHA = 0.2;

  /** Recent times to first token kept for the percentile. */
  static final int TTFT_SAMPLES = 128;

  private BreakerSpec breaker;
  private long inFlight;
  private long assigned;

  /** Requests the server reported beyond ours at its last measurement (other clients' load). */
  private long external;

  private long queuedPrompt;
  private long queuedOutput;
  private long consecutiveFailures;
  private OutcomeWindow window;
  private double ttft = Double.NaN;
  private double perToken = Double.NaN;
  private double outputTokens = Double.NaN;
  private final double[] ttftSamples = new double[TTFT_SAMPLES];
  private int ttftCount;

  /** The p95 of the samples, computed again only after a new one. */
  private double ttftP95 = Double.NaN;

  private boolean ttftP95Stale;
  private String state = DeploymentState.CLOSED;
  private long openedAtNanos;
  private long lastFailureNanos = Long.MIN_VALUE;

  /** Probes under way, whichever half-open spell admitted them: the limit holds across spells. */
  private int probes;

  DeploymentStats(BreakerSpec breaker) {
    this.breaker = breaker;
    this.window = new OutcomeWindow(breaker.window());
  }

  /** A new breaker spec; a new window length starts an empty window. */
  synchronized void configure(BreakerSpec spec) {
    if (!spec.window().equals(breaker.window())) {
      window = new OutcomeWindow(spec.window());
    }
    this.breaker = spec;
  }

  /**
   * Whether an attempt may go to this deployment now; a probe while half-open holds one of its
   * permits.
   */
  synchronized Admission admit(long now) {
    if (state.equals(DeploymentState.OPEN) && now - openedAtNanos >= breaker.cooldown().toNanos()) {
      state = DeploymentState.HALF_OPEN;
    }
    return switch (state) {
      case DeploymentState.CLOSED -> Admission.ADMITTED;
      case DeploymentState.HALF_OPEN -> {
        if (probes < breaker.halfOpenProbes()) {
          probes++;
          yield Admission.PROBE;
        }
        yield Admission.REJECTED;
      }
      default -> Admission.REJECTED;
    };
  }

  /**
   * An active health check's result: a failure counts like a failed attempt; a success moves an
   * open circuit to half-open at once, so probes may go through before the cooldown ends.
   */
  synchronized void healthChecked(long now, boolean healthy) {
    if (healthy) {
      if (state.equals(DeploymentState.OPEN)) {
        state = DeploymentState.HALF_OPEN;
      }
      return;
    }
    lastFailureNanos = now;
    window.add(now, true, false);
    consecutiveFailures++;
    if (state.equals(DeploymentState.HALF_OPEN)
        || (state.equals(DeploymentState.CLOSED) && tripped(now))) {
      state = DeploymentState.OPEN;
      openedAtNanos = now;
    }
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
    if (probe && probes > 0) {
      probes--;
    }
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
    consecutiveFailures = 0;
    window.add(now, false, false);
    if (!Double.isNaN(ttftMillis)) {
      ttft = Double.isNaN(ttft) ? ttftMillis : ttft + EWMA_ALPHA * (ttftMillis - ttft);
      ttftSamples[ttftCount++ % TTFT_SAMPLES] = ttftMillis;
      ttftP95Stale = true;
    }
    if (!Double.isNaN(millisPerToken)) {
      perToken =
          Double.isNaN(perToken)
              ? millisPerToken
              : perToken + EWMA_ALPHA * (millisPerToken - perToken);
    }
    // Only a probe's answer closes the circuit: one sent before it opened says nothing of now.
    if (probe && state.equals(DeploymentState.HALF_OPEN)) {
      state = DeploymentState.CLOSED;
      window.clear();
    }
  }

  synchronized void failed(
      long now, long promptTokens, long predictedOutput, boolean probe, boolean rateLimited) {
    ended(promptTokens, predictedOutput, probe);
    lastFailureNanos = now;
    window.add(now, !rateLimited, rateLimited);
    if (rateLimited) {
      return;
    }
    consecutiveFailures++;
    boolean reopen = probe && state.equals(DeploymentState.HALF_OPEN);
    if (reopen || (state.equals(DeploymentState.CLOSED) && tripped(now))) {
      state = DeploymentState.OPEN;
      openedAtNanos = now;
    }
  }

  /** The attempt ended without telling anything of the deployment's health (the client left). */
  synchronized void abandoned(long promptTokens, long predictedOutput, boolean probe) {
    ended(promptTokens, predictedOutput, probe);
  }

  private boolean tripped(long now) {
    if (consecutiveFailures >= breaker.consecutiveFailures()) {
      return true;
    }
    return window.counted(now) >= breaker.minRequests()
        && window.errorRate(now) >= breaker.errorRate();
  }

  /** The mean answer length seen here, or NaN before the first answer. */
  synchronized double meanOutputTokens() {
    return outputTokens;
  }

  synchronized long lastFailureNanos() {
    return lastFailureNanos;
  }

  synchronized DeploymentState snapshot(long now) {
    String shown =
        state.equals(DeploymentState.OPEN) && now - openedAtNanos >= breaker.cooldown().toNanos()
            ? DeploymentState.HALF_OPEN
            : state;
    return new DeploymentState(
        inFlight + external,
        queuedPrompt,
        queuedOutput,
        consecutiveFailures,
        thousandths(window.errorRate(now)),
        window.rateLimited(now),
        thousandths(ttft),
        thousandths(p95()),
        thousandths(perToken),
        shown,
        assigned);
  }

  /** Values as the trace keeps them, so a policy reads exactly what replay will give it. */
  private static double thousandths(double value) {
    return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : value;
  }

  private double p95() {
    if (ttftP95Stale) {
      int n = Math.min(ttftCount, TTFT_SAMPLES);
      double[] sorted = Arrays.copyOf(ttftSamples, n);
      Arrays.sort(sorted);
      ttftP95 = sorted[(int) Math.ceil(0.95 * n) - 1];
      ttftP95Stale = false;
    }
    return ttftP95;
  }
}
