package dev.signalbox.core.session;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Which model and deployment started each tool loop, by the ids of the tool calls they answered
 * with: a request that carries the results of those calls continues the loop there. Switching
 * models mid-loop breaks thinking signatures and prompt caches. Bounded (the oldest loops are
 * forgotten first) and expiring; in memory, one process.
 */
public final class ToolLoops {
  /** Where a loop started. */
  public record Started(String model, String deployment) {}

  /** No memory: every request routes afresh. */
  public static final ToolLoops NONE = new ToolLoops(() -> 0, 0, 0);

  private final LongSupplier nanoTime;
  private final int capacity;
  private final long ttlNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<String, Remembered> calls;

  private record Remembered(Started started, long at) {}

  /**
   * @param capacity the tool calls remembered at most
   * @param ttlMinutes how long a loop is remembered after its last call
   */
  public ToolLoops(LongSupplier nanoTime, int capacity, long ttlMinutes) {
    this.nanoTime = nanoTime;
    this.capacity = capacity;
    this.ttlNanos = TimeUnit.MINUTES.toNanos(ttlMinutes);
    this.calls =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > ToolLoops.this.capacity;
          }
        };
  }

  /** An answer's tool calls, made by {@code model} on {@code deployment}. */
  public void started(Collection<String> callIds, String model, String deployment) {
    if (capacity == 0 || callIds.isEmpty()) {
      return;
    }
    Remembered entry = new Remembered(new Started(model, deployment), nanoTime.getAsLong());
    lock.lock();
    try {
      callIds.stream().filter(id -> !id.isEmpty()).forEach(id -> calls.put(id, entry));
    } finally {
      lock.unlock();
    }
  }

  /** Where the loop that made any of these calls started, if it is remembered. */
  public Optional<Started> startedBy(List<String> callIds) {
    long now = nanoTime.getAsLong();
    lock.lock();
    try {
      for (String id : callIds) {
        Remembered entry = calls.get(id);
        if (entry != null && now - entry.at() <= ttlNanos) {
          return Optional.of(entry.started());
        }
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }
}
