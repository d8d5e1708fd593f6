package dev.signalbox.core.limits;

import dev.signalbox.core.config.LimitSpec;
import java.util.Locale;

/**
 * A scope limits apply to: a tenant, a team, a key, one end user, one agent session, or a tag the
 * request carries.
 */
public record Scope(Kind kind, String name) {
  public enum Kind {
    TENANT,
    TEAM,
    KEY,
    USER,
    SESSION,
    TAG;

    private final String key = name().toLowerCase(Locale.ROOT);

    public String key() {
      return key;
    }
  }

  /** {@code kind:name}, as errors, headers and traces name a scope. */
  public String id() {
    return kind.key() + ":" + name;
  }

  /** This scope under the given limits. */
  public Bound bound(LimitSpec spec) {
    return new Bound(this, spec);
  }

  /** A scope and its limits as the config stands. */
  public record Bound(Scope scope, LimitSpec spec) {}
}
