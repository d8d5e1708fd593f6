package dev.signalbox.core.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.NativeBody;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * An embeddings request ({@code POST /v1/embeddings}), checked as OpenAI checks it, each refusal
 * naming its field. The gateway routes it as a chat request of one user message, the inputs joined,
 * so that the prompt's tokens size it for context windows, prices and limits; no output is asked
 * for.
 */
public final class EmbeddingsRequest {
  /** The most inputs one request may carry, as OpenAI allows. */
  static final int MAX_INPUTS = 2_048;

  private EmbeddingsRequest() {}

  /** The chat request that routes this body, carrying the body for the upstream. */
  public static ChatRequest toChat(ObjectNode body) {
    String model = body.path("model").isTextual() ? body.get("model").asText() : "";
    if (!body.has("model")) {
      throw invalid("you must provide a model parameter", "model");
    }
    if (model.isBlank()) {
      throw invalid("'model' must be a non-empty string.", "model");
    }
    List<String> inputs = inputs(body);
    JsonNode format = body.get("encoding_format");
    if (format != null
        && !(format.isTextual()
            && (format.asText().equals("float") || format.asText().equals("base64")))) {
      throw invalid(
          "Invalid 'encoding_format': expected 'float' or 'base64', got " + format + ".",
          "encoding_format");
    }
    JsonNode dimensions = body.get("dimensions");
    if (dimensions != null && (!dimensions.canConvertToInt() || dimensions.asInt() < 1)) {
      throw invalid(
          "Invalid 'dimensions': expected a positive integer, got " + dimensions + ".",
          "dimensions");
    }
    JsonNode user = body.get("user");
    if (user != null && !user.isTextual()) {
      throw invalid("Invalid 'user': expected a string.", "user");
    }
    ObjectNode chat = Json.object();
    chat.put("model", model);
    chat.put("max_tokens", 1);
    chat.putArray("messages")
        .addObject()
        .put("role", "user")
        .put("content", String.join("\n", inputs));
    if (user != null) {
      chat.put("user", user.asText());
    }
    return ChatRequestParser.parse(chat)
        .withNativeBody(new NativeBody(NativeBody.Protocol.OPENAI_EMBEDDINGS, body));
  }

  /** The texts to embed: {@code input} as one string or an array of strings. */
  public static List<String> inputs(JsonNode body) {
    JsonNode input = body.get("input");
    if (input == null || input.isNull()) {
      throw invalid("you must provide an input parameter", "input");
    }
    if (input.isTextual()) {
      return List.of(nonEmpty(input, "input"));
    }
    if (!input.isArray() || input.isEmpty()) {
      throw invalid("Invalid 'input': expected a string or a non-empty array of strings.", "input");
    }
    if (input.size() > MAX_INPUTS) {
      throw invalid(
          "Invalid 'input': at most " + MAX_INPUTS + " inputs, got " + input.size() + ".", "input");
    }
    List<String> texts = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      if (!item.isTextual()) {
        throw invalid(
            "Invalid 'input["
                + i
                + "]': expected a string (token arrays are not taken: send the text).",
            "input[" + i + "]");
      }
      texts.add(nonEmpty(item, "input[" + i + "]"));
    }
    return texts;
  }

  private static String nonEmpty(JsonNode text, String field) {
    if (text.asText().isEmpty()) {
      throw invalid("Invalid '" + field + "': the string must not be empty.", field);
    }
    return text.asText();
  }

  private static SignalboxException invalid(String message, String param) {
    return new SignalboxException(ErrorKind.INVALID_REQUEST, message, param, "invalid_value");
  }
}
