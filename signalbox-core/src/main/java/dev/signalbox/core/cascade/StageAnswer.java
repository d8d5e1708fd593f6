package dev.signalbox.core.cascade;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One answer of a cascade stage, as the checks read it.
 *
 * @param logprobs the log-probability of each answer token, empty when the upstream returned none
 */
public record StageAnswer(String text, Optional<List<Double>> logprobs) {
  public StageAnswer {
    Objects.requireNonNull(text, "text");
    logprobs = logprobs.map(List::copyOf);
  }

  public static StageAnswer of(String text) {
    return new StageAnswer(text, Optional.empty());
  }
}
