package dev.signalbox.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.Pricing;
import dev.signalbox.core.text.TokenCounter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-model prices in USD per million tokens, and the output length assumed where the data records
 * none. File form (YAML or JSON):
 *
 * <pre>
 * assumed-output-tokens: 256
 * models:
 *   gpt-4-1106-preview: {input: 10.0, output: 30.0}
 * </pre>
 */
public record PriceList(Map<String, Pricing> models, long assumedOutputTokens, String source) {
  public static final long DEFAULT_OUTPUT_TOKENS = 256;
  public static final PriceList NONE = new PriceList(Map.of(), DEFAULT_OUTPUT_TOKENS, "");

  public PriceList {
    models = Map.copyOf(models);
  }

  public Optional<Pricing> pricing(String model) {
    return Optional.ofNullable(models.get(model));
  }

  /** These prices, then {@code other}'s for models these lack. */
  public PriceList orElse(PriceList other) {
    Map<String, Pricing> merged = new LinkedHashMap<>(other.models);
    merged.putAll(models);
    return new PriceList(merged, assumedOutputTokens, source.isEmpty() ? other.source : source);
  }

  public PriceList withAssumedOutputTokens(long tokens) {
    return new PriceList(models, tokens, source);
  }

  /**
   * Prices derived from the data's own per-prompt costs, for models whose outcomes carry {@code
   * cost_usd}: each model's cost over its tokens (input, and output where recorded, else {@code
   * assumedOutputTokens}) on the training prompts (all prompts when the data has no split), as one
   * blended rate for input and output. Models without costs are left out.
   */
  public static PriceList derived(Dataset data, TokenCounter tokens, long assumedOutputTokens) {
    boolean split = data.hasSplit();
    List<EvalPrompt> training =
        data.prompts().stream().filter(p -> !split || p.split().equals("train")).toList();
    Map<String, Pricing> models = new LinkedHashMap<>();
    for (String model : data.models()) {
      double usd = 0;
      long used = 0;
      for (EvalPrompt prompt : training) {
        Outcome outcome = prompt.outcome(model);
        if (outcome.costUsd().isEmpty()) {
          continue;
        }
        long input =
            outcome.inputTokens().isPresent()
                ? outcome.inputTokens().getAsLong()
                : tokens.countPrompt(prompt.messages(), List.of());
        usd += outcome.costUsd().getAsDouble();
        used += input + outcome.outputTokens().orElse(assumedOutputTokens);
      }
      if (used > 0) {
        double perMillion = usd / used * 1e6;
        models.put(model, new Pricing(perMillion, perMillion, perMillion));
      }
    }
    return new PriceList(
        models,
        assumedOutputTokens,
        "derived from the per-prompt costs of "
            + training.size()
            + (split ? " training" : "")
            + " prompts (no --prices given): one blended USD rate per token for each model");
  }

  public static PriceList read(Path file) {
    String where = file.toString();
    JsonNode root = YamlFile.read(file);
    if (root == null || !root.path("models").isObject()) {
      throw new DataException(
          where,
          0,
          "models",
          "expected a mapping of model name to {input, output} USD per million tokens");
    }
    Map<String, Pricing> models = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : root.path("models").properties()) {
      String field = "models." + entry.getKey();
      double input = price(where, field + ".input", entry.getValue().path("input"));
      double output = price(where, field + ".output", entry.getValue().path("output"));
      models.put(entry.getKey(), new Pricing(input, input, output));
    }
    long output = DEFAULT_OUTPUT_TOKENS;
    JsonNode assumed = root.path("assumed-output-tokens");
    if (!assumed.isMissingNode()) {
      if (!assumed.canConvertToLong() || assumed.asLong() < 0) {
        throw new DataException(
            where, 0, "assumed-output-tokens", "expected a whole number of tokens, got " + assumed);
      }
      output = assumed.asLong();
    }
    return new PriceList(models, output, where);
  }

  private static double price(String where, String field, JsonNode node) {
    if (!node.isNumber() || !Double.isFinite(node.asDouble()) || node.asDouble() < 0) {
      throw new DataException(
          where,
          0,
          field,
          "expected a price in USD per million tokens (a number >= 0), got "
              + (node.isMissingNode() ? "nothing" : node.toString()));
    }
    return node.asDouble();
  }
}
