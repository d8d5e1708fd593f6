package dev.signalbox.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a simulated deployment behaves. Times in milliseconds; rates are probabilities per attempt.
 *
 * @param timeToFirstTokenMillis the delay before the first token (or the whole answer)
 * @param millisPerToken the gap between output tokens
 * @param outputTokens the answer's length in tokens
 * @param cutRate the chance that a stream breaks after its first token
 * @param maxConcurrency how many requests it serves at once (0: no limit); the rest wait their
 *     turn, as on a server whose batch is full
 */
public record SimSettings(
    Distribution timeToFirstTokenMillis,
    Distribution millisPerToken,
    Distribution outputTokens,
    double errorRate,
    double rateLimitRate,
    Duration retryAfter,
    double timeoutRate,
    double cutRate,
    String answer,
    int maxConcurrency) {

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

  public SimSettings {
    Objects.requireNonNull(timeToFirstTokenMillis);
    Objects.requireNonNull(millisPerToken);
    Objects.requireNonNull(outputTokens);
    Objects.requireNonNull(retryAfter);
    Objects.requireNonNull(answer);
  }
}
