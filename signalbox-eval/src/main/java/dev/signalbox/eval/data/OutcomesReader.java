package dev.signalbox.eval.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The routing-outcomes format, JSONL, one prompt per line (see docs/evaluation.md). Every problem
 * names the file, the line and the field.
 */
public final class OutcomesReader implements DatasetReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Dataset read(Path path) {
    String file = path.toString();
    List<EvalPrompt> prompts = new ArrayList<>();
    List<String> models = null;
    Set<String> ids = new HashSet<>();
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String text;
      long line = 0;
      while ((text = reader.readLine()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        EvalPrompt prompt = prompt(file, line, text);
        if (!ids.add(prompt.id())) {
          throw new DataException(file, line, "id", "duplicate id '" + prompt.id() + "'");
        }
        if (models == null) {
          models = List.copyOf(prompt.outcomes().keySet());
        } else if (!prompt.outcomes().keySet().equals(Set.copyOf(models))) {
          throw new DataException(
              file,
              line,
              "outcomes",
              "models "
                  + prompt.outcomes().keySet()
                  + " differ from the first line's "
                  + models
                  + "; every line needs the same models");
        }
        prompts.add(prompt);
      }
    } catch (NoSuchFileException e) {
      throw new DataException(file, "file not found");
    } catch (IOException e) {
      throw new DataException(file, "cannot read: " + e.getMessage());
    }
    if (prompts.isEmpty()) {
      throw new DataException(
          file, "no prompts (expected JSONL, one prompt with its outcomes per line)");
    }
    return new Dataset(
        path.getFileName().toString(),
        file,
        models,
        prompts,
        QualityScale.UNIT,
        PriceList.NONE,
        List.of());
  }

  static EvalPrompt prompt(String file, long line, String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JacksonException e) {
      throw new DataException(file, line, "", "not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new DataException(file, line, "", "expected a JSON object per line");
    }
    JsonNode id = node.path("id");
    if (!id.isTextual() && !id.isIntegralNumber()) {
      throw new DataException(file, line, "id", "expected a string or integer id");
    }
    List<ChatMessage> messages = messages(file, line, node);
    String split = node.path("split").asText("");
    if (!split.isEmpty() && !split.equals("train") && !split.equals("test")) {
      throw new DataException(
          file, line, "split", "expected \"train\" or \"test\", got \"" + split + "\"");
    }
    JsonNode outcomes = node.path("outcomes");
    if (!outcomes.isObject() || outcomes.isEmpty()) {
      throw new DataException(
          file, line, "outcomes", "expected an object of model name to outcome");
    }
    Map<String, Outcome> byModel = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : outcomes.properties()) {
      byModel.put(
          entry.getKey(), outcome(file, line, "outcomes." + entry.getKey(), entry.getValue()));
    }
    Map<String, Double> scores = new LinkedHashMap<>();
    JsonNode scoreNode = node.path("scores");
    if (!scoreNode.isMissingNode()) {
      if (!scoreNode.isObject()) {
        throw new DataException(
            file, line, "scores", "expected an object of column name to number");
      }
      for (Map.Entry<String, JsonNode> entry : scoreNode.properties()) {
        scores.put(
            entry.getKey(), finite(file, line, "scores." + entry.getKey(), entry.getValue()));
      }
    }
    return new EvalPrompt(
        id.asText(), messages, node.path("task").asText(""), split, byModel, scores);
  }

  private static List<ChatMessage> messages(String file, long line, JsonNode node) {
    JsonNode prompt = node.path("prompt");
    JsonNode messages = node.path("messages");
    if (prompt.isTextual() == messages.isArray()) {
      throw new DataException(
          file,
          line,
          "prompt",
          "expected exactly one of \"prompt\" (a string) or \"messages\" (an array)");
    }
    if (prompt.isTextual()) {
      return List.of(ChatMessage.text(Role.USER, prompt.asText()));
    }
    List<ChatMessage> result = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String field = "messages[" + i + "]";
      Role role = role(file, line, field + ".role", message.path("role").asText(""));
      JsonNode content = message.path("content");
      StringBuilder text = new StringBuilder();
      if (content.isTextual()) {
        text.append(content.asText());
      } else if (content.isArray()) {
        for (JsonNode part : content) {
          if (part.path("type").asText().equals("text")) {
            text.append(text.isEmpty() ? "" : "\n").append(part.path("text").asText());
          }
        }
      } else {
        throw new DataException(
            file, line, field + ".content", "expected a string or an array of parts");
      }
      result.add(ChatMessage.text(role, text.toString()));
    }
    if (result.isEmpty()) {
      throw new DataException(file, line, "messages", "empty conversation");
    }
    return result;
  }

  private static Role role(String file, long line, String field, String name) {
    for (Role role : Role.values()) {
      if (role.name().toLowerCase(Locale.ROOT).equals(name)) {
        return role;
      }
    }
    throw new DataException(file, line, field, "unknown role '" + name + "'");
  }

  private static Outcome outcome(String file, long line, String field, JsonNode node) {
    if (!node.isObject()) {
      throw new DataException(file, line, field, "expected an object with at least \"quality\"");
    }
    JsonNode q = node.path("quality");
    if (q.isMissingNode()) {
      throw new DataException(file, line, field + ".quality", "missing");
    }
    double quality =
        q.isBoolean() ? (q.asBoolean() ? 1 : 0) : finite(file, line, field + ".quality", q);
    if (!QualityScale.UNIT.contains(quality)) {
      throw new DataException(
          file, line, field + ".quality", "expected a quality in [0, 1], got " + q);
    }
    List<String> samples = new ArrayList<>();
    node.path("samples").forEach(s -> samples.add(s.asText()));
    List<Double> logprobs = new ArrayList<>();
    JsonNode lp = node.path("logprobs");
    for (int i = 0; i < lp.size(); i++) {
      logprobs.add(finiteOrNegativeInfinity(file, line, field + ".logprobs[" + i + "]", lp.get(i)));
    }
    return new Outcome(
        quality,
        optionalNonNegative(file, line, field + ".cost_usd", node.path("cost_usd")),
        optionalCount(file, line, field + ".input_tokens", node.path("input_tokens")),
        optionalCount(file, line, field + ".output_tokens", node.path("output_tokens")),
        optionalNonNegative(file, line, field + ".latency_ms", node.path("latency_ms")),
        node.path("response").asText(""),
        samples,
        logprobs);
  }

  private static double finite(String file, long line, String field, JsonNode node) {
    if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
      throw new DataException(file, line, field, "expected a finite number, got " + node);
    }
    return node.asDouble();
  }

  private static double finiteOrNegativeInfinity(
      String file, long line, String field, JsonNode node) {
    if (node.isNumber() && node.asDouble() <= 0 && !Double.isNaN(node.asDouble())) {
      return node.asDouble();
    }
    throw new DataException(
        file, line, field, "expected a log-probability (a number <= 0), got " + node);
  }

  private static OptionalDouble optionalNonNegative(
      String file, long line, String field, JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return OptionalDouble.empty();
    }
    double value = finite(file, line, field, node);
    if (value < 0) {
      throw new DataException(file, line, field, "expected a number >= 0, got " + node);
    }
    return OptionalDouble.of(value);
  }

  private static OptionalLong optionalCount(String file, long line, String field, JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return OptionalLong.empty();
    }
    if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < 0) {
      throw new DataException(file, line, field, "expected a whole number >= 0, got " + node);
    }
    return OptionalLong.of(node.asLong());
  }
}
