package dev.signalbox.core.wire;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ContentPart;
import dev.signalbox.api.ResponseFormat;
import dev.signalbox.api.Role;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.ToolCall;
import dev.signalbox.api.ToolDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** Parses an OpenAI chat completions body; a bad field fails with a 400 that names it. */
public final class ChatRequestParser {
  private ChatRequestParser() {}

  public static ChatRequest parse(byte[] body) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (JsonParseException e) {
      throw new SignalboxException(
          dev.signalbox.api.ErrorKind.INVALID_REQUEST,
          "We could not parse the JSON body of your request: "
              + e.getOriginalMessage()
              + " (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")",
          null,
          "invalid_json");
    } catch (IOException e) {
      throw new SignalboxException(
          dev.signalbox.api.ErrorKind.INVALID_REQUEST,
          "We could not read the request body: " + e.getMessage(),
          null,
          "invalid_json");
    }
    if (root == null || !root.isObject()) {
      throw SignalboxException.invalid(null, "The request body must be a JSON object.");
    }
    ObjectNode raw = (ObjectNode) root;
    String model = requiredString(raw, "model");
    if (model.isBlank()) {
      throw SignalboxException.invalid("model", "'model' must not be empty.");
    }
    JsonNode messagesNode = raw.path("messages");
    if (messagesNode.isMissingNode() || messagesNode.isNull()) {
      throw missing("messages");
    }
    if (!messagesNode.isArray()) {
      throw wrongType("messages", "an array", messagesNode);
    }
    if (messagesNode.isEmpty()) {
      throw SignalboxException.invalid("messages", "'messages' must contain at least one message.");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < messagesNode.size(); i++) {
      messages.add(message(messagesNode.get(i), "messages[" + i + "]"));
    }
    boolean stream = optionalBoolean(raw, "stream", false);
    boolean includeUsage = false;
    JsonNode streamOptions = raw.path("stream_options");
    if (present(streamOptions)) {
      if (!streamOptions.isObject()) {
        throw wrongType("stream_options", "an object", streamOptions);
      }
      includeUsage =
          optionalBoolean(streamOptions, "include_usage", false, "stream_options.include_usage");
    }
    OptionalInt maxTokens = positiveInt(raw, "max_completion_tokens");
    if (maxTokens.isEmpty()) {
      maxTokens = positiveInt(raw, "max_tokens");
    }
    OptionalDouble temperature = OptionalDouble.empty();
    JsonNode t = raw.path("temperature");
    if (present(t)) {
      if (!t.isNumber()) {
        throw wrongType("temperature", "a number", t);
      }
      if (t.doubleValue() < 0 || t.doubleValue() > 2) {
        throw SignalboxException.invalid(
            "temperature", "'temperature' must be between 0 and 2, got " + t.asText() + ".");
      }
      temperature = OptionalDouble.of(t.doubleValue());
    }
    int n = positiveInt(raw, "n").orElse(1);
    return new ChatRequest(
        model,
        messages,
        stream,
        includeUsage,
        maxTokens,
        temperature,
        tools(raw),
        toolChoice(raw),
        responseFormat(raw),
        stop(raw),
        n,
        optionalString(raw, "user"),
        metadata(raw),
        raw);
  }

  private static ChatMessage message(JsonNode node, String path) {
    if (!node.isObject()) {
      throw wrongType(path, "an object", node);
    }
    String roleText = requiredString(node, "role", path + ".role");
    Role role =
        Role.parse(roleText)
            .orElseThrow(
                () ->
                    SignalboxException.invalid(
                        path + ".role",
                        "Invalid value for '"
                            + path
                            + ".role': '"
                            + roleText
                            + "'. Supported values are: 'system', 'developer', 'user', 'assistant',"
                            + " 'tool' and 'function'."));
    List<ContentPart> content = content(node.path("content"), path + ".content", role);
    List<ToolCall> toolCalls = new ArrayList<>();
    JsonNode calls = node.path("tool_calls");
    if (present(calls)) {
      if (!calls.isArray()) {
        throw wrongType(path + ".tool_calls", "an array", calls);
      }
      for (int i = 0; i < calls.size(); i++) {
        String callPath = path + ".tool_calls[" + i + "]";
        JsonNode call = calls.get(i);
        JsonNode function = call.path("function");
        if (!function.isObject()) {
          throw present(function)
              ? wrongType(callPath + ".function", "an object", function)
              : missing(callPath + ".function");
        }
        toolCalls.add(
            new ToolCall(
                requiredString(call, "id", callPath + ".id"),
                requiredString(function, "name", callPath + ".function.name"),
                function.path("arguments").isTextual()
                    ? function.get("arguments").asText()
                    : "{}"));
      }
    }
    String toolCallId = "";
    if (role == Role.TOOL) {
      toolCallId = requiredString(node, "tool_call_id", path + ".tool_call_id");
    }
    String name = node.path("name").isTextual() ? node.get("name").asText() : "";
    if (content.isEmpty() && toolCalls.isEmpty() && role != Role.ASSISTANT) {
      throw missing(path + ".content");
    }
    return new ChatMessage(role, content, toolCalls, toolCallId, name);
  }

  private static List<ContentPart> content(JsonNode node, String path, Role role) {
    if (!present(node)) {
      return List.of();
    }
    if (node.isTextual()) {
      return List.of(new ContentPart.Text(node.asText()));
    }
    if (!node.isArray()) {
      throw wrongType(path, "a string or an array of content parts", node);
    }
    List<ContentPart> parts = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String partPath = path + "[" + i + "]";
      JsonNode part = node.get(i);
      if (!part.isObject()) {
        throw wrongType(partPath, "an object", part);
      }
      String type = requiredString(part, "type", partPath + ".type");
      switch (type) {
        case "text" ->
            parts.add(new ContentPart.Text(requiredString(part, "text", partPath + ".text")));
        case "image_url" -> {
          JsonNode image = part.path("image_url");
          if (image.isTextual()) {
            parts.add(new ContentPart.Image(image.asText(), ""));
          } else if (image.isObject()) {
            parts.add(
                new ContentPart.Image(
                    requiredString(image, "url", partPath + ".image_url.url"),
                    image.path("detail").asText("")));
          } else {
            throw present(image)
                ? wrongType(partPath + ".image_url", "an object", image)
                : missing(partPath + ".image_url");
          }
        }
        case "refusal" -> parts.add(new ContentPart.Text(part.path("refusal").asText("")));
        default -> parts.add(new ContentPart.Other(type));
      }
    }
    return parts;
  }

  private static List<ToolDefinition> tools(JsonNode raw) {
    JsonNode node = raw.path("tools");
    if (!present(node)) {
      return List.of();
    }
    if (!node.isArray()) {
      throw wrongType("tools", "an array", node);
    }
    List<ToolDefinition> tools = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String path = "tools[" + i + "]";
      JsonNode tool = node.get(i);
      if (!tool.isObject()) {
        throw wrongType(path, "an object", tool);
      }
      JsonNode function = tool.path("function");
      if (!function.isObject()) {
        throw present(function)
            ? wrongType(path + ".function", "an object", function)
            : missing(path + ".function");
      }
      JsonNode parameters = function.path("parameters");
      if (present(parameters) && !parameters.isObject()) {
        throw wrongType(path + ".function.parameters", "an object", parameters);
      }
      tools.add(
          new ToolDefinition(
              requiredString(function, "name", path + ".function.name"),
              function.path("description").asText(""),
              parameters.isObject() ? parameters : Json.object().put("type", "object")));
    }
    return tools;
  }

  private static JsonNode toolChoice(JsonNode raw) {
    JsonNode node = raw.path("tool_choice");
    if (!present(node)) {
      return MissingNode.getInstance();
    }
    if (node.isTextual()) {
      String value = node.asText();
      if (!value.equals("none") && !value.equals("auto") && !value.equals("required")) {
        throw SignalboxException.invalid(
            "tool_choice",
            "Invalid value for 'tool_choice': '"
                + value
                + "'. Supported values are: 'none', 'auto' and 'required', or an object naming a"
                + " function.");
      }
      return node;
    }
    if (!node.isObject()) {
      throw wrongType("tool_choice", "a string or an object", node);
    }
    return node;
  }

  private static ResponseFormat responseFormat(JsonNode raw) {
    JsonNode node = raw.path("response_format");
    if (!present(node)) {
      return ResponseFormat.TEXT;
    }
    if (!node.isObject()) {
      throw wrongType("response_format", "an object", node);
    }
    String type = requiredString(node, "type", "response_format.type");
    return switch (type) {
      case "text" -> ResponseFormat.TEXT;
      case "json_object" -> ResponseFormat.JSON_OBJECT;
      case "json_schema" -> ResponseFormat.JSON_SCHEMA;
      default ->
          throw SignalboxException.invalid(
              "response_format.type",
              "Invalid value for 'response_format.type': '"
                  + type
                  + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
    };
  }

  private static List<String> stop(JsonNode raw) {
    JsonNode node = raw.path("stop");
    if (!present(node)) {
      return List.of();
    }
    if (node.isTextual()) {
      return List.of(node.asText());
    }
    if (!node.isArray()) {
      throw wrongType("stop", "a string or an array of strings", node);
    }
    List<String> stops = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isTextual()) {
        throw wrongType("stop[" + i + "]", "a string", node.get(i));
      }
      stops.add(node.get(i).asText());
    }
    return stops;
  }

  private static Map<String, String> metadata(JsonNode raw) {
    JsonNode node = raw.path("metadata");
    if (!present(node)) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw wrongType("metadata", "an object", node);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().isTextual()) {
        throw wrongType("metadata." + field.getKey(), "a string", field.getValue());
      }
      metadata.put(field.getKey(), field.getValue().asText());
    }
    return metadata;
  }

  private static boolean present(JsonNode node) {
    return !node.isMissingNode() && !node.isNull();
  }

  private static String requiredString(JsonNode node, String field) {
    return requiredString(node, field, field);
  }

  private static String requiredString(JsonNode node, String field, String path) {
    JsonNode value = node.path(field);
    if (!present(value)) {
      throw missing(path);
    }
    if (!value.isTextual()) {
      throw wrongType(path, "a string", value);
    }
    return value.asText();
  }

  private static String optionalString(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (!present(value)) {
      return "";
    }
    if (!value.isTextual()) {
      throw wrongType(field, "a string", value);
    }
    return value.asText();
  }

  private static boolean optionalBoolean(JsonNode node, String field, boolean fallback) {
    return optionalBoolean(node, field, fallback, field);
  }

  private static boolean optionalBoolean(
      JsonNode node, String field, boolean fallback, String path) {
    JsonNode value = node.path(field);
    if (!present(value)) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw wrongType(path, "a boolean", value);
    }
    return value.booleanValue();
  }

  private static OptionalInt positiveInt(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (!present(value)) {
      return OptionalInt.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw wrongType(field, "an integer", value);
    }
    if (value.intValue() < 1) {
      throw SignalboxException.invalid(
          field,
          "Invalid '"
              + field
              + "': integer below minimum value. Expected a value >= 1, but got "
              + value.intValue()
              + " instead.");
    }
    return OptionalInt.of(value.intValue());
  }

  private static SignalboxException missing(String path) {
    return new SignalboxException(
        dev.signalbox.api.ErrorKind.INVALID_REQUEST,
        "Missing required parameter: '" + path + "'.",
        path,
        "missing_required_parameter");
  }

  private static SignalboxException wrongType(String path, String expected, JsonNode got) {
    return new SignalboxException(
        dev.signalbox.api.ErrorKind.INVALID_REQUEST,
        "Invalid type for '"
            + path
            + "': expected "
            + expected
            + ", but got "
            + describe(got)
            + " instead.",
        path,
        "invalid_type");
  }

  private static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return node.isIntegralNumber() ? "an integer" : "a decimal";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    return "null";
  }
}
