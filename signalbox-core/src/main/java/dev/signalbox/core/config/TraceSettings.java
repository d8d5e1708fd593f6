package dev.signalbox.core.config;

import java.nio.file.Path;

/**
 * Where decision traces go and what they hold beyond the decision.
 *
 * @param queueCapacity traces waiting to be written beyond which new ones are dropped (and counted)
 */
public record TraceSettings(
    @Default("true") boolean enabled,
    @Default("signalbox-traces.db") Path path,
    @Default("2048") @Range(min = 1, max = 10_000_000) int queueCapacity,
    @Default("false") boolean recordPrompts,
    @Default("false") boolean recordAnswers) {
  public static final TraceSettings DEFAULT =
      new TraceSettings(true, Path.of("signalbox-traces.db"), 2_048, false, false);
}
