package dev.signalbox.core.config;

/**
 * A value a record's constructor refuses, with the key it is about (relative to the record), so
 * that the reader reports it at its path.
 */
public final class ConfigProblem extends IllegalArgumentException {
  private final String key;

  public ConfigProblem(String key, String message) {
    super(message);
    this.key = key;
  }

  /** The key below the record, or "" for the record itself. */
  public String key() {
    return key;
  }
}
