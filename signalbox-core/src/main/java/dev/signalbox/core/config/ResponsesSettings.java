package dev.signalbox.core.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where responses that clients of {@code /v1/responses} ask to store ({@code store: true}, the
 * default) are kept, and for how long: they hold the conversation, so they go to their own file,
 * not the traces.
 *
 * @param retention a stored response older than this is deleted
 * @param maxStored beyond this many, the oldest are deleted
 */
public record ResponsesSettings(
    @Default("true") boolean store,
    @Default("signalbox-responses.db") Path path,
    @Default("720h") Duration retention,
    @Default("100000") @Range(min = 1, max = 1_000_000_000) int maxStored) {
  public static final ResponsesSettings DEFAULT =
      new ResponsesSettings(true, Path.of("signalbox-responses.db"), Duration.ofDays(30), 100_000);
}
