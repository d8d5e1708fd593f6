package dev.signalbox.core.config;

import java.time.Duration;

/**
 * How a simulated deployment behaves. Times in milliseconds; rates are probabilities per attempt.
 *
 * @param timeToFirstTokenMs the delay before the first token (or the whole answer)
 * @param msPerToken the gap between output tokens
 * @param outputTokens the answer's length in tokens
 * @param cutRate the chance that a stream breaks after its first token
 * @param maxConcurrency how many requests it serves at once (0: no limit); the rest wait their
 *     turn, as on a server whose batch is full
 */
public record SimSettings(
    @Default("{median: 20, p99: 60}") Distribution timeToFirstTokenMs,
    @Default("{median: 2, p99: 5}") Distribution msPerToken,
    @Default("{median: 60, p99: 200}") Distribution outputTokens,
    @Default("0") @Range(min = 0, max = 1) double errorRate,
    @Default("0") @Range(min = 0, max = 1) double rateLimitRate,
    @Default("1s") Duration retryAfter,
    @Default("0") @Range(min = 0, max = 1) double timeoutRate,
    @Default("0") @Range(min = 0, max = 1) double cutRate,
    @Default("This is a simulated answer from Signalbox.") String answer,
    @Default("0") @Range(min = 0, max = 1_000_000) int maxConcurrency) {

  public static final SimSettings DEFAULT =
      new SimSettings(
          new Distribution(20, 60),
          new Distribution(2, 5),
          new Distribution(60, 200),
          0,
          0,
          Duration.ofSeconds(1),
          0,
          0,
          "This is a simulated answer from Signalbox.",
          0);

  public Distribution timeToFirstTokenMillis() {
    return timeToFirstTokenMs;
  }

  public Distribution millisPerToken() {
    return msPerToken;
  }
}
