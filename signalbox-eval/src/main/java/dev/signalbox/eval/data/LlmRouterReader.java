package dev.signalbox.eval.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.Pricing;
import dev.signalbox.api.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * LLMRouter's dcrouter files (ulab-uiuc/LLMRouter): {@code dcrouter_preprocessed/{train,test}.json}
 * with per-model scores in [0, 1], the tasks from {@code query_data/default_query_*.jsonl} (matched
 * on the question text) and the price list {@code llm_candidates/default_llm.json}. Only models
 * both priced and scored are kept; {@code cluster_id} is ignored (a policy must not see it).
 */
public final class LlmRouterReader implements DatasetReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Dataset read(Path path) {
    Path root =
        Files.isDirectory(path.resolve("dcrouter_preprocessed"))
            ? path
            : path.toAbsolutePath().getParent();
    Path dcrouter = root.resolve("dcrouter_preprocessed");
    if (!Files.isRegularFile(dcrouter.resolve("train.json"))
        || !Files.isRegularFile(dcrouter.resolve("test.json"))) {
      throw new DataException(
          path.toString(),
          "not an LLMRouter folder: expected dcrouter_preprocessed/train.json and test.json");
    }
    PriceList prices = prices(root.resolve("llm_candidates").resolve("default_llm.json"));
    Map<String, String> tasks = new HashMap<>();
    for (String split : List.of("train", "test")) {
      Path queries = root.resolve("query_data").resolve("default_query_" + split + ".jsonl");
      if (Files.isRegularFile(queries)) {
        JsonLines.forEach(
            queries,
            (line, node) ->
                tasks.put(node.path("query").asText(), node.path("task_name").asText("")));
      }
    }
    List<EvalPrompt> prompts = new ArrayList<>();
    Set<String> scored = new TreeSet<>();
    read(dcrouter.resolve("train.json"), "train", tasks, prompts, scored);
    read(dcrouter.resolve("test.json"), "test", tasks, prompts, scored);
    List<String> models = scored.stream().filter(m -> prices.pricing(m).isPresent()).toList();
    if (models.isEmpty()) {
      throw new DataException(path.toString(), "no model is both scored and priced");
    }
    List<EvalPrompt> kept = new ArrayList<>(prompts.size());
    for (EvalPrompt prompt : prompts) {
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      for (String model : models) {
        Outcome outcome = prompt.outcomes().get(model);
        if (outcome == null) {
          throw new DataException(dcrouter.toString(), 0, prompt.id(), "no score for " + model);
        }
        outcomes.put(model, outcome);
      }
      kept.add(prompt.withOutcomes(outcomes));
    }
    long withTask = kept.stream().filter(p -> !p.task().isEmpty()).count();
    Set<String> unpriced = new TreeSet<>(scored);
    unpriced.removeAll(models);
    return new Dataset(
        "llmrouter/dcrouter",
        path.toString(),
        models,
        kept,
        QualityScale.UNIT,
        prices,
        List.of(
            models.size()
                + " models scored and priced"
                + (unpriced.isEmpty() ? "" : " (dropped, unpriced: " + unpriced + ")"),
            withTask + " of " + kept.size() + " prompts matched to a task"));
  }

  private static void read(
      Path file,
      String split,
      Map<String, String> tasks,
      List<EvalPrompt> prompts,
      Set<String> scored) {
    JsonNode items;
    try {
      items = JSON.readTree(file.toFile());
    } catch (JacksonException e) {
      throw new DataException(
          file.toString(),
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "",
          "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new DataException(file.toString(), "cannot read: " + e.getMessage());
    }
    if (items == null || !items.isArray()) {
      throw new DataException(file.toString(), "expected a JSON array of {question, scores}");
    }
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String field = "[" + i + "]";
      if (!item.path("question").isTextual()) {
        throw new DataException(file.toString(), 0, field + ".question", "missing");
      }
      JsonNode scores = item.path("scores");
      if (!scores.isObject() || scores.isEmpty()) {
        throw new DataException(
            file.toString(),
            0,
            field + ".scores",
            "expected an object of model to score in [0, 1]");
      }
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> entry : scores.properties()) {
        double quality = entry.getValue().asDouble(Double.NaN);
        if (!entry.getValue().isNumber() || !QualityScale.UNIT.contains(quality)) {
          throw new DataException(
              file.toString(),
              0,
              field + ".scores." + entry.getKey(),
              "expected a score in [0, 1], got " + entry.getValue());
        }
        outcomes.put(entry.getKey(), Outcome.of(quality));
        scored.add(entry.getKey());
      }
      String question = item.path("question").asText();
      prompts.add(
          new EvalPrompt(
              split + "-" + i,
              List.of(ChatMessage.text(Role.USER, question)),
              tasks.getOrDefault(question, ""),
              split,
              outcomes,
              Map.of()));
    }
  }

  private static PriceList prices(Path file) {
    JsonNode root = YamlFile.read(file);
    if (root == null || !root.isObject()) {
      throw new DataException(
          file.toString(),
          "expected LLMRouter's price list: an object of model to {input_price, output_price}");
    }
    Map<String, Pricing> models = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      JsonNode input = entry.getValue().path("input_price");
      JsonNode output = entry.getValue().path("output_price");
      if (!input.isNumber()
          || !output.isNumber()
          || input.asDouble() < 0
          || output.asDouble() < 0) {
        throw new DataException(
            file.toString(),
            0,
            entry.getKey(),
            "expected input_price and output_price in USD per million tokens");
      }
      models.put(
          entry.getKey(), new Pricing(input.asDouble(), input.asDouble(), output.asDouble()));
    }
    return new PriceList(models, PriceList.DEFAULT_OUTPUT_TOKENS, file.toString());
  }
}
