package dev.signalbox.core.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;

/**
 * Sessions in this process, each forgotten once idle for its route's timeout (Caffeine, on an
 * injectable ticker).
 */
public final class InMemorySessions implements SessionStore {
  private record Entry(Session session, Duration idle) {}

  private final Cache<String, Entry> sessions;

  public InMemorySessions(Ticker ticker) {
    this.sessions =
        Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(1_000_000)
            .expireAfter(
                new Expiry<String, Entry>() {
                  @Override
                  public long expireAfterCreate(String key, Entry value, long currentTime) {
                    return value.idle().toNanos();
                  }

                  @Override
                  public long expireAfterUpdate(
                      String key, Entry value, long currentTime, long currentDuration) {
                    return value.idle().toNanos();
                  }

                  @Override
                  public long expireAfterRead(
                      String key, Entry value, long currentTime, long currentDuration) {
                    return value.idle().toNanos();
                  }
                })
            .build();
  }

  @Override
  public Optional<Session> get(String route, String session) {
    return Optional.ofNullable(sessions.getIfPresent(route + "|" + session)).map(Entry::session);
  }

  @Override
  public void recordStep(
      String route, String session, String model, double costUsd, Duration idleTimeout) {
    sessions
        .asMap()
        .compute(
            route + "|" + session,
            (key, old) -> {
              Session before = old == null ? new Session(model, 0, 0) : old.session();
              return new Entry(
                  new Session(model, before.spentUsd() + costUsd, before.steps() + 1), idleTimeout);
            });
  }
}
