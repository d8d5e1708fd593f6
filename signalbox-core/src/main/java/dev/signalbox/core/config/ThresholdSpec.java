package dev.signalbox.core.config;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A two-model threshold (RouteLLM's shape): requests whose score is at least {@code value} go to
 * {@code strong}, the rest to {@code weak}.
 *
 * @param value the threshold; a {@code score} route's is 0.5 when absent, a learned {@code
 *     threshold} route's the one its artifact was calibrated to
 * @param score the name of the score; the {@code score} policy reads it from the request header
 *     {@code x-signalbox-score-<score>}, the evaluator from the data's score column of that name
 */
public record ThresholdSpec(
    String strong,
    String weak,
    @Range(min = -1e12, max = 1e12) OptionalDouble value,
    @Default("score") String score) {
  public ThresholdSpec {
    Objects.requireNonNull(strong);
    Objects.requireNonNull(weak);
    Objects.requireNonNull(score);
  }

  public ThresholdSpec(String strong, String weak, double value, String score) {
    this(
        strong,
        weak,
        Double.isNaN(value) ? OptionalDouble.empty() : OptionalDouble.of(value),
        score);
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
    return new ThresholdSpec(strong, weak, OptionalDouble.of(newValue), score);
  }

  /** Reports a strong or weak model that is not one of the route's. */
  void checkModels(RouteCheck check) {
    for (String model : List.of(strong, weak)) {
      if (!check.route().models().contains(model)) {
        check.problem(
            "threshold",
            "'"
                + model
                + "' is not one of the route's models ("
                + String.join(", ", check.route().models())
                + ")");
      }
    }
  }
}
