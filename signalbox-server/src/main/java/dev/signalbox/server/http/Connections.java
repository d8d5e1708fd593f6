package dev.signalbox.server.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

  /** Closes every connection (at shutdown). */
  /** Closes every connection once its answer under way, if any, is written. */
  void closeAllWhenAnswered() {
    open.forEach(ConnectionGuard::closeWhenAnswered);
  }

  void closeAll() {
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
