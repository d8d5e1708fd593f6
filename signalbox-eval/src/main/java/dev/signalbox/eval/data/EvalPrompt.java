package dev.signalbox.eval.data;

import dev.signalbox.api.ChatMessage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One prompt of a data set with every model's outcome on it. Policies see only {@link #messages()}
 * (what a request carries); the task, split and score columns are for splits and baselines.
 *
 * @param task the task or subject, "" when unknown
 * @param split "train", "test" or "" when the data has no split
 * @param scores named per-prompt score columns, for the score policy
 */
public record EvalPrompt(
    String id,
    List<ChatMessage> messages,
    String task,
    String split,
    Map<String, Outcome> outcomes,
    Map<String, Double> scores) {

  public EvalPrompt {
    Objects.requireNonNull(id, "id");
    messages = List.copyOf(messages);
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(split, "split");
    // Insertion order is the data's model order, which every report follows.
    outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
    scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
  }

  public Outcome outcome(String model) {
    Outcome outcome = outcomes.get(model);
    if (outcome == null) {
      throw new IllegalArgumentException(
          "prompt " + id + " has no outcome for model '" + model + "'");
    }
    return outcome;
  }

  public double quality(String model) {
    return outcome(model).quality();
  }

  /**
   * The cost of sending this prompt to {@code model}; every outcome has one once the data set is
   * priced.
   */
  public double cost(String model) {
    return outcome(model)
        .costUsd()
        .orElseThrow(
            () -> new IllegalStateException("prompt " + id + " is not priced for " + model));
  }

  public Optional<Double> score(String column) {
    return Optional.ofNullable(scores.get(column));
  }

  public EvalPrompt withOutcomes(Map<String, Outcome> newOutcomes) {
    return new EvalPrompt(id, messages, task, split, newOutcomes, scores);
  }
}
