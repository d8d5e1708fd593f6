package dev.signalbox.core.pool;

import java.time.Duration;

/**
 * Attempt outcomes over a sliding time window, as counts in {@value #BUCKETS} buckets of a
 * thirtieth of the window each (the window slides a bucket at a time, as Resilience4j's time-based
 * window does). Adding and reading cost the same at any rate of traffic, and memory is fixed. Not
 * thread-safe: its owner holds the lock.
 */
final class OutcomeWindow {
  static final int BUCKETS = 30;

  private final long bucketNanos;

  /** The epoch (time / bucket width) each bucket holds, or {@code Long.MIN_VALUE} when empty. */
  private final long[] epochs = new long[BUCKETS];

  private final long[] counted = new long[BUCKETS];
  private final long[] failed = new long[BUCKETS];
  private final long[] rateLimited = new long[BUCKETS];
  private long countedTotal;
  private long failedTotal;
  private long rateLimitedTotal;

  OutcomeWindow(Duration window) {
    this.bucketNanos = Math.max(1, window.toNanos() / BUCKETS);
    clear();
  }

  /**
   * A failure counts toward the error rate; a 429 is only counted as one (neither success nor
   * failure).
   */
  void add(long now, boolean isFailure, boolean isRateLimited) {
    int bucket = bucketAt(now);
    if (isRateLimited) {
      rateLimited[bucket]++;
      rateLimitedTotal++;
      return;
    }
    counted[bucket]++;
    countedTotal++;
    if (isFailure) {
      failed[bucket]++;
      failedTotal++;
    }
  }

  /** Attempts in the window that were not rate limited. */
  long counted(long now) {
    evict(now);
    return countedTotal;
  }

  /** The share of counted attempts that failed, 0 when there were none. */
  double errorRate(long now) {
    evict(now);
    return countedTotal == 0 ? 0 : (double) failedTotal / countedTotal;
  }

  long rateLimited(long now) {
    evict(now);
    return rateLimitedTotal;
  }

  void clear() {
    for (int i = 0; i < BUCKETS; i++) {
      reset(i, Long.MIN_VALUE);
    }
  }

  private int bucketAt(long now) {
    long epoch = Math.floorDiv(now, bucketNanos);
    int bucket = Math.floorMod(epoch, BUCKETS);
    if (epochs[bucket] != epoch) {
      reset(bucket, epoch);
    }
    return bucket;
  }

  private void evict(long now) {
    long oldest = Math.floorDiv(now, bucketNanos) - BUCKETS + 1;
    for (int i = 0; i < BUCKETS; i++) {
      if (epochs[i] != Long.MIN_VALUE && epochs[i] < oldest) {
        reset(i, Long.MIN_VALUE);
      }
    }
  }

  private void reset(int bucket, long epoch) {
    countedTotal -= counted[bucket];
    failedTotal -= failed[bucket];
    rateLimitedTotal -= rateLimited[bucket];
    counted[bucket] = 0;
    failed[bucket] = 0;
    rateLimited[bucket] = 0;
    epochs[bucket] = epoch;
  }
}
