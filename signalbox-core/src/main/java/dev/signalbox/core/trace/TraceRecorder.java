package dev.signalbox.core.trace;

import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TraceSink;
import dev.signalbox.core.wire.Truncated;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes traces off the request path. Requests only offer to a bounded queue; one writer thread
 * drains it in batches into the store.
 *
 * <p>Overflow policy: when the queue is full the newest trace is dropped (the request is never held
 * up by the store) and counted in {@link #droppedQueueFull()}; a batch the store refuses is counted
 * in {@link #droppedStoreError()}. Both counters are exported as metrics, and each drop is logged,
 * at most once a minute per reason.
 */
public final class TraceRecorder implements TraceSink, FeedbackStore, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TraceRecorder.class.getName());
  private static final int BATCH = 512;
  // Group commit: a commit costs far more than a row, so a batch that is not full at once gathers
  // for this long after its first trace before it is written.
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final Duration FEEDBACK_FLUSH = Duration.ofSeconds(2);

  private final TraceStore store;
  private final BlockingQueue<DecisionTrace> queue;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder droppedQueueFull = new LongAdder();
  private final LongAdder droppedStoreError = new LongAdder();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread writer;
  private volatile long lastQueueFullLog;
  private volatile long lastStoreErrorLog;

  public TraceRecorder(TraceStore store, int capacity) {
    this.store = store;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = Thread.ofPlatform().name("signalbox-trace-writer").daemon().start(this::drain);
  }

  @Override
  public void accept(DecisionTrace trace) {
    if (closed.get() || !queue.offer(trace)) {
      droppedQueueFull.increment();
      lastQueueFullLog =
          logAtMostOncePerMinute(lastQueueFullLog, "trace queue full; dropped trace " + trace.id());
      return;
    }
    accepted.increment();
  }

  public void storeConfig(String hash, String text) {
    try {
      store.storeConfig(hash, text);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cannot store config " + hash + ": " + e.getMessage());
    }
  }

  public int queueDepth() {
    return queue.size();
  }

  public long droppedQueueFull() {
    return droppedQueueFull.sum();
  }

  public long droppedStoreError() {
    return droppedStoreError.sum();
  }

  public long written() {
    return written.sum();
  }

  public TraceStore store() {
    return store;
  }

  private void drain() {
    List<DecisionTrace> batch = new ArrayList<>(BATCH);
    while (!(closed.get() && queue.isEmpty())) {
      try {
        DecisionTrace first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        gather(batch);
        write(batch);
      } catch (InterruptedException e) {
        if (!closed.get()) {
          Thread.currentThread().interrupt();
          return;
        }
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Sleeps out the linger rather than waiting on the queue, so requests offering in the meantime
   * wake nobody (a wake-up is a system call each).
   */
  private void gather(List<DecisionTrace> batch) throws InterruptedException {
    queue.drainTo(batch, BATCH - batch.size());
    if (batch.size() < BATCH && !closed.get()) {
      TimeUnit.NANOSECONDS.sleep(LINGER_NANOS);
      queue.drainTo(batch, BATCH - batch.size());
    }
  }

  private void write(List<DecisionTrace> batch) {
    try {
      store.write(batch);
      written.add(batch.size());
    } catch (Exception e) {
      droppedStoreError.add(batch.size());
      lastStoreErrorLog =
          logAtMostOncePerMinute(
              lastStoreErrorLog,
              "trace store refused " + batch.size() + " traces: " + e.getMessage());
    }
    lock.lock();
    try {
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Keeps the feedback with its trace. A trace may still be queued just after its answer, so an
   * unknown id is looked up again once the queue is written.
   */
  @Override
  public TraceStore.Kept record(Feedback feedback, String tenant) throws InterruptedException {
    try {
      TraceStore.Kept kept = store.addFeedback(feedback, tenant);
      if (kept == TraceStore.Kept.UNKNOWN_REQUEST && flush(FEEDBACK_FLUSH)) {
        // The trace may still have been on its way to the store.
        kept = store.addFeedback(feedback, tenant);
      }
      if (kept != TraceStore.Kept.UNKNOWN_REQUEST) {
        return kept;
      }
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new SignalboxException(
          ErrorKind.INTERNAL,
          "The trace store could not keep the feedback: " + e.getMessage(),
          null,
          "trace_store_failed");
    }
    throw new SignalboxException(
        ErrorKind.INVALID_REQUEST,
        "No recorded request has the id '"
            + Truncated.of(feedback.requestId(), 80)
            + "' (use the x-signalbox-request-id header of an answer).",
        "request_id",
        "unknown_request_id");
  }

  /** Waits until every trace accepted so far is written or counted as dropped. */
  public boolean flush(Duration timeout) throws InterruptedException {
    long target = accepted.sum();
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (written.sum() + droppedStoreError.sum() < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        progress.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Stops taking traces, writes what is queued (waiting up to the timeout), closes the store. */
  public void close(Duration timeout) throws InterruptedException {
    if (closed.compareAndSet(false, true)) {
      writer.join(timeout.toMillis());
      store.close();
    }
  }

  @Override
  public void close() {
    try {
      close(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long logAtMostOncePerMinute(long last, String message) {
    long now = System.nanoTime();
    if (last == 0 || now - last > TimeUnit.MINUTES.toNanos(1)) {
      LOG.warning(message);
      return now;
    }
    return last;
  }
}
