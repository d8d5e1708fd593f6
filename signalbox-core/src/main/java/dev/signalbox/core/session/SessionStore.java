package dev.signalbox.core.session;

import java.time.Duration;
import java.util.Optional;

/**
 * What a gateway remembers of agents' sessions, per route: the model the session is on, what it has
 * spent and how many steps it took. Entries expire after their route's idle timeout. In memory by
 * default; the interface is the seam for a store shared by replicas.
 */
public interface SessionStore {
  /** One session's state on one route. */
  record Session(String model, double spentUsd, int steps) {}

  Optional<Session> get(String route, String session);

  /** Adds a finished step: the model that answered and what it cost. */
  void recordStep(String route, String session, String model, double costUsd, Duration idleTimeout);

  SessionStore NONE =
      new SessionStore() {
        @Override
        public Optional<Session> get(String route, String session) {
          return Optional.empty();
        }

        @Override
        public void recordStep(
            String route, String session, String model, double costUsd, Duration idleTimeout) {}
      };
}
