package dev.signalbox.core.pool;

import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.config.DeploymentSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live state of every deployment, shared by all requests and kept across reloads: load counted
 * from the moment of assignment, latency, errors and circuit breakers. Each deployment has its own
 * lock; a snapshot reads them one after another, so it may mix moments a few microseconds apart,
 * which routing tolerates. Breaker transitions are told to the listener after the deployment's lock
 * is released.
 */
public final class PoolState {
  private final TimeSource time;
  private final BreakerListener breakers;
  private final ConcurrentHashMap<String, DeploymentStats> deployments = new ConcurrentHashMap<>();

  /** Counts every attempt started: a decision made on an older count saw a pool that has moved. */
  private final AtomicLong assignments = new AtomicLong();

  public PoolState(TimeSource time) {
    this(time, BreakerListener.NONE);
  }

  /**
   * @param breakers told of every breaker transition
   */
  public PoolState(TimeSource time, BreakerListener breakers) {
    this.time = time;
    this.breakers = breakers;
  }

  private DeploymentStats of(DeploymentSpec deployment) {
    DeploymentStats stats =
        deployments.computeIfAbsent(
            deployment.name(), d -> new DeploymentStats(deployment.name(), deployment.breaker()));
    stats.configure(deployment.breaker());
    return stats;
  }

  /** Tells the listener what the last call on {@code stats} changed, outside its lock. */
  private void tell(DeploymentStats stats) {
    for (BreakerListener.Transition transition : stats.drainTransitions()) {
      breakers.transitioned(transition);
    }
  }

  /** Whether the deployment's breaker lets an attempt through now. */
  public Admission admit(DeploymentSpec deployment) {
    DeploymentStats stats = of(deployment);
    Admission admission = stats.admit(time.nanoTime());
    tell(stats);
    return admission;
  }

  /**
   * Counts an attempt in flight at once, with its prompt and predicted output tokens queued.
   *
   * @param maxOutputTokens the most it may produce; the deployment's mean answer length, when known
   *     and shorter, is the prediction
   * @param probe whether it holds one of the half-open breaker's probe permits
   */
  public Lease start(
      DeploymentSpec deployment, long promptTokens, long maxOutputTokens, boolean probe) {
    assignments.incrementAndGet();
    return started(deployment, promptTokens, maxOutputTokens, probe);
  }

  /** How many attempts have started so far; read before a snapshot, for {@link #claim}. */
  public long assignments() {
    return assignments.get();
  }

  /**
   * Claims the next assignment if no attempt has started since {@code seen} was read: the caller
   * then starts its attempt with {@link #startClaimed}. False means the pool moved under the
   * decision, which should be made again on a fresh snapshot. Lock-free: deciding needs no lock.
   */
  public boolean claim(long seen) {
    return assignments.compareAndSet(seen, seen + 1);
  }

  /** Starts an attempt whose assignment {@link #claim} already counted. */
  public Lease startClaimed(
      DeploymentSpec deployment, long promptTokens, long maxOutputTokens, boolean probe) {
    return started(deployment, promptTokens, maxOutputTokens, probe);
  }

  private Lease started(
      DeploymentSpec deployment, long promptTokens, long maxOutputTokens, boolean probe) {
    DeploymentStats stats = of(deployment);
    double mean = stats.meanOutputTokens();
    long predicted =
        Double.isNaN(mean) ? maxOutputTokens : Math.min(maxOutputTokens, Math.round(mean));
    stats.started(promptTokens, predicted);
    return new Lease(stats, promptTokens, predicted, probe, time.nanoTime());
  }

  /** Reports an active health check of the deployment. */
  public void healthChecked(DeploymentSpec deployment, boolean healthy) {
    DeploymentStats stats = of(deployment);
    stats.healthChecked(time.nanoTime(), healthy);
    tell(stats);
  }

  /** Re-anchors the deployment's load on the server's own count of running and waiting requests. */
  public void anchor(DeploymentSpec deployment, long serverLoad) {
    of(deployment).anchor(serverLoad);
  }

  /** When the deployment last failed, on the monotonic clock; {@code Long.MIN_VALUE} when never. */
  public long lastFailureNanos(DeploymentSpec deployment) {
    return of(deployment).lastFailureNanos();
  }

  public PoolSnapshot snapshot() {
    long now = time.nanoTime();
    Map<String, DeploymentState> states = new HashMap<>();
    deployments.forEach((name, stats) -> states.put(name, stats.snapshot(now)));
    return new PoolSnapshot(states);
  }

  /** One attempt's hold on a deployment; the first of its ends counts, later ones do nothing. */
  public final class Lease {
    private final DeploymentStats stats;
    private final long promptTokens;
    private final long predictedOutput;
    private final boolean probe;
    private final long startNanos;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long firstTokenNanos = -1;

    private Lease(
        DeploymentStats stats,
        long promptTokens,
        long predictedOutput,
        boolean probe,
        long startNanos) {
      this.stats = stats;
      this.promptTokens = promptTokens;
      this.predictedOutput = predictedOutput;
      this.probe = probe;
      this.startNanos = startNanos;
    }

    public void firstToken() {
      if (firstTokenNanos < 0) {
        firstTokenNanos = time.nanoTime();
      }
    }

    public void succeeded(long completionTokens) {
      if (ended.compareAndSet(false, true)) {
        long now = time.nanoTime();
        long first = firstTokenNanos < 0 ? now : firstTokenNanos;
        double ttft = (first - startNanos) / 1e6;
        double perToken =
            completionTokens > 1 ? (now - first) / 1e6 / (completionTokens - 1) : Double.NaN;
        stats.succeeded(
            now, promptTokens, predictedOutput, probe, ttft, perToken, completionTokens);
        tell(stats);
      }
    }

    public void failed(boolean rateLimited) {
      if (ended.compareAndSet(false, true)) {
        stats.failed(time.nanoTime(), promptTokens, predictedOutput, probe, rateLimited);
        tell(stats);
      }
    }

    /** The attempt ended without telling anything of the deployment's health (the client left). */
    public void abandoned() {
      if (ended.compareAndSet(false, true)) {
        stats.abandoned(promptTokens, predictedOutput, probe);
      }
    }
  }
}
