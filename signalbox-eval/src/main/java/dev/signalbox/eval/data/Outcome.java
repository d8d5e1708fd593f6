package dev.signalbox.eval.data;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What one model did on one prompt. Cost, tokens and latency are optional in the data; {@link
 * Dataset} fills the cost from a price list where it is absent.
 *
 * @param response the recorded answer, or "" when absent
 * @param samples further recorded answers (for agreement checks), possibly empty
 * @param logprobs recorded token log-probabilities, possibly empty
 */
public record Outcome(
    double quality,
    OptionalDouble costUsd,
    OptionalLong inputTokens,
    OptionalLong outputTokens,
    OptionalDouble latencyMillis,
    String response,
    List<String> samples,
    List<Double> logprobs) {

  public Outcome {
    samples = List.copyOf(samples);
    logprobs = List.copyOf(logprobs);
  }

  public static Outcome of(double quality) {
    return new Outcome(
        quality,
        OptionalDouble.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalDouble.empty(),
        "",
        List.of(),
        List.of());
  }

  public Outcome withCost(double cost) {
    return new Outcome(
        quality,
        OptionalDouble.of(cost),
        inputTokens,
        outputTokens,
        latencyMillis,
        response,
        samples,
        logprobs);
  }

  /** The same outcome with the recorded answer and its length in tokens. */
  public Outcome withResponse(String text, long tokens) {
    return new Outcome(
        quality,
        costUsd,
        inputTokens,
        OptionalLong.of(tokens),
        latencyMillis,
        text,
        samples,
        logprobs);
  }
}
