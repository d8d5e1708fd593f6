package dev.signalbox.core.config;

import java.nio.file.Path;

/** Where decision traces go and what they hold beyond the decision. */
public record TraceSettings(
    boolean enabled, Path path, int queueCapacity, boolean recordPrompts, boolean recordAnswers) {
  public static final TraceSettings DEFAULT =
      new TraceSettings(true, Path.of("signalbox-traces.db"), 2_048, false, false);
}
