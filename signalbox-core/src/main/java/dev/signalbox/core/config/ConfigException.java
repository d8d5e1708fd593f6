package dev.signalbox.core.config;

import java.util.List;

/** An invalid config: every problem found, each prefixed by its path. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(
        source
            + ": "
            + problems.size()
            + " problem"
            + (problems.size() == 1 ? "" : "s")
            + "\n  "
            + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
