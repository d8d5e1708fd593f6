package dev.signalbox.core.pool;

import dev.signalbox.api.DeploymentState;

/** Where a deployment's circuit breaker stands. */
public sealed interface BreakerState {
  /** The name traces and {@code GET /admin/pool} show. */
  String label();

  /** A number for the state gauge: 0 closed, 1 half-open, 2 open. */
  int level();

  /** Attempts go through. */
  record Closed() implements BreakerState {
    @Override
    public String label() {
      return DeploymentState.CLOSED;
    }

    @Override
    public int level() {
      return 0;
    }
  }

  /** Attempts are refused since {@code sinceNanos} (on the pool's monotonic clock). */
  record Open(long sinceNanos) implements BreakerState {
    @Override
    public String label() {
      return DeploymentState.OPEN;
    }

    @Override
    public int level() {
      return 2;
    }
  }

  /**
   * The cooldown passed (or a health check succeeded): up to the configured number of probes go
   * through; a probe's success closes the circuit, its failure opens it again.
   */
  record HalfOpen() implements BreakerState {
    @Override
    public String label() {
      return DeploymentState.HALF_OPEN;
    }

    @Override
    public int level() {
      return 1;
    }
  }
}
