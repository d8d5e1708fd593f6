package dev.signalbox.core.pool;

import dev.signalbox.api.TimeSource;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The latest breaker transitions with when they happened, for the dashboard's pool view. Bounded:
 * the oldest are forgotten.
 */
public final class BreakerHistory implements BreakerListener {
  private final TimeSource time;
  private final int capacity;
  private final Deque<Entry> entries = new ArrayDeque<>();

  /** A transition and when it happened. */
  public record Entry(Instant time, Transition transition) {}

  public BreakerHistory(TimeSource time, int capacity) {
    this.time = time;
    this.capacity = capacity;
  }

  @Override
  public void transitioned(Transition transition) {
    Entry entry = new Entry(time.now(), transition);
    synchronized (entries) {
      entries.addFirst(entry);
      if (entries.size() > capacity) {
        entries.removeLast();
      }
    }
  }

  /** The transitions kept, newest first. */
  public List<Entry> recent() {
    synchronized (entries) {
      return List.copyOf(entries);
    }
  }
}
