package dev.signalbox.eval.data;

import dev.signalbox.core.text.TokenCounter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Prompts with every model's outcome, read from one source. Every prompt has an outcome for every
 * model in {@link #models()}.
 *
 * @param source the path it was read from, for messages
 * @param prices the prices that come with the data (LLMRouter's list), else {@link PriceList#NONE}
 * @param notes what the reader did that a reader of the results should know (prompts dropped …)
 */
public record Dataset(
    String name,
    String source,
    List<String> models,
    List<EvalPrompt> prompts,
    QualityScale scale,
    PriceList prices,
    List<String> notes) {

  public Dataset {
    Objects.requireNonNull(name);
    Objects.requireNonNull(source);
    models = List.copyOf(models);
    prompts = List.copyOf(prompts);
    Objects.requireNonNull(scale);
    Objects.requireNonNull(prices);
    notes = List.copyOf(notes);
  }

  /** Whether the data says which prompts are for training and which for testing. */
  public boolean hasSplit() {
    return prompts.stream().anyMatch(p -> !p.split().isEmpty());
  }

  public boolean twoModels() {
    return models.size() == 2;
  }

  /**
   * The same data with a cost on every outcome: the recorded cost, else tokens times the model's
   * price, counting the prompt's tokens when the data has none and assuming the price list's output
   * length when the data has none.
   */
  public Dataset priced(PriceList prices, TokenCounter tokens) {
    List<String> unpriced = new ArrayList<>();
    List<EvalPrompt> result = new ArrayList<>(prompts.size());
    for (EvalPrompt prompt : prompts) {
      long promptTokens = -1;
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      for (String model : models) {
        Outcome outcome = prompt.outcome(model);
        if (outcome.costUsd().isEmpty()) {
          var pricing = prices.pricing(model);
          if (pricing.isEmpty()) {
            if (!unpriced.contains(model)) {
              unpriced.add(model);
            }
            outcomes.put(model, outcome);
            continue;
          }
          long input;
          if (outcome.inputTokens().isPresent()) {
            input = outcome.inputTokens().getAsLong();
          } else {
            if (promptTokens < 0) {
              promptTokens = tokens.countPrompt(prompt.messages(), List.of());
            }
            input = promptTokens;
          }
          long output = outcome.outputTokens().orElse(prices.assumedOutputTokens());
          outcome = outcome.withCost(pricing.get().estimate(input, output));
        }
        outcomes.put(model, outcome);
      }
      result.add(prompt.withOutcomes(outcomes));
    }
    if (!unpriced.isEmpty()) {
      throw new DataException(
          prices.source().isEmpty() ? source : prices.source(),
          "no cost in the data and no price for "
              + String.join(", ", unpriced)
              + " (give --prices FILE with every model)");
    }
    return new Dataset(name, source, models, result, scale, prices, notes);
  }

  /** The mean quality of one model over some prompts. */
  public static double meanQuality(List<EvalPrompt> prompts, String model) {
    return prompts.stream().mapToDouble(p -> p.quality(model)).average().orElse(Double.NaN);
  }

  public static double meanCost(List<EvalPrompt> prompts, String model) {
    return prompts.stream().mapToDouble(p -> p.cost(model)).average().orElse(Double.NaN);
  }
}
