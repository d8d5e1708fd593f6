package dev.signalbox.core.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What a route's policy spec checks itself against once the whole config is read. */
public interface RouteCheck {
  RouteSpec route();

  /** Reports a problem with the key below the route (e.g. {@code threshold.strong}). */
  void problem(String key, String message);

  /** Every model the config names. */
  Set<String> models();

  /** Every route the config names. */
  Set<String> routes();

  /** Reports {@code name} at {@code key} unless it is a route of the config. */
  default void knownRoute(String key, String name) {
    if (!routes().contains(name)) {
      problem(key, "unknown route '" + name + "' (known: " + String.join(", ", routes()) + ")");
    }
  }

  /**
   * The trail of routes by which this route's delegations come back to it ({@code [a, b, a]}), if
   * they do.
   */
  Optional<List<String>> delegationCycle();

  /**
   * Whether learned routes' artifacts must exist; not where routes are fitted as they are read
   * ({@code eval}, {@code train}).
   */
  boolean artifactsRequired();
}
