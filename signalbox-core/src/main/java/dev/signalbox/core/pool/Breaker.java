package dev.signalbox.core.pool;

import dev.signalbox.core.config.BreakerSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * One deployment's circuit breaker (Nygard's; Resilience4j's shape): closed until failures in a row
 * or a failure rate over a sliding window open it; open for the cooldown, then half-open, when a
 * limited number of probes go through; a probe's success closes it, a probe's failure opens it
 * again. A successful health check moves an open circuit to half-open at once. Not thread-safe: its
 * owner ({@link DeploymentStats}) holds the lock, and hands the transitions each call made to the
 * pool, which tells its listener once the lock is released.
 */
final class Breaker {
  private final String deployment;
  private BreakerSpec spec;
  private OutcomeWindow window;
  private BreakerState state = new BreakerState.Closed();
  private long consecutiveFailures;
  private long lastFailureNanos = Long.MIN_VALUE;

  /** Probes under way, whichever half-open spell admitted them: the limit holds across spells. */
  private int probes;

  private final List<BreakerListener.Transition> transitions = new ArrayList<>();

  Breaker(String deployment, BreakerSpec spec) {
    this.deployment = deployment;
    this.spec = spec;
    this.window = new OutcomeWindow(spec.window());
  }

  /** A new spec; a new window length starts an empty window. */
  void configure(BreakerSpec newSpec) {
    if (!newSpec.window().equals(spec.window())) {
      window = new OutcomeWindow(newSpec.window());
    }
    this.spec = newSpec;
  }

  /** Whether an attempt may go now; a probe while half-open takes one of its permits. */
  Admission admit(long now) {
    cooledDown(now);
    return switch (state) {
      case BreakerState.Closed closed -> Admission.ADMITTED;
      case BreakerState.HalfOpen halfOpen -> {
        if (probes < spec.halfOpenProbes()) {
          probes++;
          yield Admission.PROBE;
        }
        yield Admission.REJECTED;
      }
      case BreakerState.Open open -> Admission.REJECTED;
    };
  }

  private void cooledDown(long now) {
    if (state instanceof BreakerState.Open open
        && now - open.sinceNanos() >= spec.cooldown().toNanos()) {
      move(new BreakerState.HalfOpen(), "cooldown of " + spec.cooldown().toMillis() + " ms passed");
    }
  }

  /** An attempt that held a probe permit ended, however. */
  void probeEnded(boolean probe) {
    if (probe && probes > 0) {
      probes--;
    }
  }

  void succeeded(long now, boolean probe) {
    consecutiveFailures = 0;
    window.add(now, false, false);
    // Only a probe's answer closes the circuit: one sent before it opened says nothing of now.
    if (probe && state instanceof BreakerState.HalfOpen) {
      move(new BreakerState.Closed(), "a probe succeeded");
      window.clear();
    }
  }

  void failed(long now, boolean probe, boolean rateLimited) {
    lastFailureNanos = now;
    window.add(now, !rateLimited, rateLimited);
    if (rateLimited) {
      return;
    }
    consecutiveFailures++;
    if (probe && state instanceof BreakerState.HalfOpen) {
      move(new BreakerState.Open(now), "a probe failed");
    } else if (state instanceof BreakerState.Closed) {
      tripped(now).ifPresent(why -> move(new BreakerState.Open(now), why));
    }
  }

  /**
   * An active health check: a failure counts like a failed attempt; a success moves an open circuit
   * to half-open at once, so probes may go through before the cooldown ends.
   */
  void healthChecked(long now, boolean healthy) {
    if (healthy) {
      if (state instanceof BreakerState.Open) {
        move(new BreakerState.HalfOpen(), "a health check succeeded");
      }
      return;
    }
    lastFailureNanos = now;
    window.add(now, true, false);
    consecutiveFailures++;
    if (state instanceof BreakerState.HalfOpen) {
      move(new BreakerState.Open(now), "a health check failed");
    } else if (state instanceof BreakerState.Closed) {
      tripped(now)
          .map(why -> "health checks: " + why)
          .ifPresent(why -> move(new BreakerState.Open(now), why));
    }
  }

  private java.util.Optional<String> tripped(long now) {
    if (consecutiveFailures >= spec.consecutiveFailures()) {
      return java.util.Optional.of(consecutiveFailures + " failures in a row");
    }
    if (window.counted(now) >= spec.minRequests() && window.errorRate(now) >= spec.errorRate()) {
      return java.util.Optional.of(
          "error rate "
              + Math.round(window.errorRate(now) * 100)
              + "% over "
              + window.counted(now)
              + " attempts");
    }
    return java.util.Optional.empty();
  }

  private void move(BreakerState to, String cause) {
    transitions.add(new BreakerListener.Transition(deployment, state, to, cause));
    state = to;
  }

  /** The transitions since the last call, oldest first, for the pool to tell outside the lock. */
  List<BreakerListener.Transition> drainTransitions() {
    if (transitions.isEmpty()) {
      return List.of();
    }
    List<BreakerListener.Transition> made = List.copyOf(transitions);
    transitions.clear();
    return made;
  }

  /** The state as a snapshot shows it: an open circuit whose cooldown passed reads half-open. */
  BreakerState shown(long now) {
    if (state instanceof BreakerState.Open open
        && now - open.sinceNanos() >= spec.cooldown().toNanos()) {
      return new BreakerState.HalfOpen();
    }
    return state;
  }

  long consecutiveFailures() {
    return consecutiveFailures;
  }

  long lastFailureNanos() {
    return lastFailureNanos;
  }

  double errorRate(long now) {
    return window.errorRate(now);
  }

  long rateLimited(long now) {
    return window.rateLimited(now);
  }
}
