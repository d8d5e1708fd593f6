package dev.signalbox.server.http;

import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The open connections. At the limit a new connection takes the slot of the one that has been
 * sending its request longest (a slow client), else of the one idle longest between requests (a
 * client that has been served, and can reconnect); when every connection is being served the new
 * one is closed instead. So slow clients hold slots only until someone needs them.
 */
final class Connections {
  private final Set<ConnectionGuard> open = ConcurrentHashMap.newKeySet();
  private final int limit;
  private final ConnectionEvents events;

  Connections(int limit, ConnectionEvents events) {
    this.limit = limit;
    this.events = events;
  }

  /** Admits a new connection; false if it must be closed. */
  boolean admit(ConnectionGuard connection) {
    while (open.size() >= limit) {
      ConnectionGuard victim = longestWaiting();
      if (victim == null) {
        events.closed("refused");
        return false;
      }
      if (open.remove(victim)) {
        events.closed("evicted");
        victim.evict();
      }
    }
    open.add(connection);
    return true;
  }

  void remove(ConnectionGuard connection) {
    open.remove(connection);
  }

  int size() {
    return open.size();
  }

  /**
   * Closes every connection (at shutdown) once its answer under way, if any, is written, waiting up
   * to {@code grace} for them; then closes what is left.
   */
  void closeAll(Duration grace) {
    List<Future<Void>> closed = open.stream().map(ConnectionGuard::closeWhenAnswered).toList();
    long deadline = System.nanoTime() + grace.toNanos();
    for (Future<Void> close : closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !close.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
        break;
      }
    }
    open.forEach(ConnectionGuard::evict);
  }

  private ConnectionGuard longestWaiting() {
    ConnectionGuard slowest = null;
    ConnectionGuard idlest = null;
    for (ConnectionGuard candidate : open) {
      if (candidate.reading()) {
        slowest = older(slowest, candidate);
      } else if (candidate.betweenRequests()) {
        idlest = older(idlest, candidate);
      }
    }
    return slowest != null ? slowest : idlest;
  }

  private static ConnectionGuard older(ConnectionGuard current, ConnectionGuard candidate) {
    return current == null || candidate.since() < current.since() ? candidate : current;
  }
}
