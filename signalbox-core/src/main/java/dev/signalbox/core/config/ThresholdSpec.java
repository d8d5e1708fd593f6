package dev.signalbox.core.config;

import java.util.Objects;

/**
 * A two-model threshold route (RouteLLM's shape): requests whose score is at least {@code value} go
 * to {@code strong}, the rest to {@code weak}.
 *
 * @param score the name of the score; the {@code score} policy reads it from the request header
 *     {@code x-signalbox-score-<score>}, the evaluator from the data's score column of that name
 */
public record ThresholdSpec(String strong, String weak, double value, String score) {
  public ThresholdSpec {
    Objects.requireNonNull(strong);
    Objects.requireNonNull(weak);
    Objects.requireNonNull(score);
  }

  /** The request header the {@code score} policy reads the score from. */
  public String header() {
    return headerFor(score);
  }

  /** The header that carries the score of that name. */
  public static String headerFor(String score) {
    return "x-signalbox-score-" + score;
  }

  public ThresholdSpec withValue(double newValue) {
    return new ThresholdSpec(strong, weak, newValue, score);
  }
}
