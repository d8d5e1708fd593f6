package dev.signalbox.core.limits;

import dev.signalbox.core.config.LimitSpec;
import java.util.Locale;

/** A scope limits apply to: a tenant, a team, a key, or one end user. */
public record Scope(Kind kind, String name) {
  public enum Kind {
    TENANT,
    TEAM,
    KEY,
    USER;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
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
