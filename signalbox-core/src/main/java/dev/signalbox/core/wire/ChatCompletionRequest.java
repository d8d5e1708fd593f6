package dev.signalbox.core.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ContentPart;
import dev.signalbox.api.ResponseFormat;
import dev.signalbox.api.Role;
import dev.signalbox.api.ToolCall;
import dev.signalbox.api.ToolDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * An OpenAI chat completions request as Jackson binds it (snake_case keys, strict types), checked
 * as OpenAI checks it, each refusal naming its field. Fields the gateway does not read are not
 * here: they stay in the request's raw body for upstreams that understand them.
 */
record ChatCompletionRequest(
    @Nullable String model,
    @Nullable List<Message> messages,
    @Nullable Boolean stream,
    @Nullable StreamOptions streamOptions,
    @Nullable Long maxTokens,
    @Nullable Long maxCompletionTokens,
    @Nullable Double temperature,
    @Nullable List<Tool> tools,
    @JsonDeserialize(using = ToolChoice.class) @Nullable JsonNode toolChoice,
    @Nullable Format responseFormat,
    @JsonDeserialize(using = Stops.class) @Nullable List<String> stop,
    @Nullable Long n,
    @Nullable String user,
    @Nullable Map<String, String> metadata) {

  ChatCompletionRequest {
    if (model == null) {
      throw WireProblem.missing("model");
    }
    if (model.isBlank()) {
      throw WireProblem.invalid("model", path -> "'model' must not be empty.");
    }
    if (messages == null) {
      throw WireProblem.missing("messages");
    }
    if (messages.isEmpty()) {
      throw WireProblem.invalid(
          "messages", path -> "'messages' must contain at least one message.");
    }
    positive("max_tokens", maxTokens);
    positive("max_completion_tokens", maxCompletionTokens);
    positive("n", n);
    if (temperature != null && (temperature < 0 || temperature > 2)) {
      String shown = JsonNodes.plain(temperature);
      throw WireProblem.invalid(
          "temperature", path -> "'temperature' must be between 0 and 2, got " + shown + ".");
    }
  }

  private static void positive(String key, @Nullable Long value) {
    if (value == null) {
      return;
    }
    if (value < 1) {
      throw WireProblem.invalid(
          key,
          path ->
              "Invalid '"
                  + path
                  + "': integer below minimum value. Expected a value >= 1, but got "
                  + value
                  + " instead.");
    }
    if (value > Integer.MAX_VALUE) {
      throw WireProblem.invalid(
          key,
          path ->
              "Invalid '"
                  + path
                  + "': integer above maximum value. Expected a value <= "
                  + Integer.MAX_VALUE
                  + ", but got "
                  + value
                  + " instead.");
    }
  }

  /** The request as the gateway reads it, with the body as sent kept for pass-through. */
  ChatRequest toRequest(ObjectNode raw) {
    Long max = maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    return new ChatRequest(
        model,
        messages.stream().map(Message::message).toList(),
        stream != null && stream,
        streamOptions != null
            && streamOptions.includeUsage() != null
            && streamOptions.includeUsage(),
        max == null ? OptionalInt.empty() : OptionalInt.of(max.intValue()),
        temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature),
        tools == null ? List.of() : tools.stream().map(Tool::definition).toList(),
        toolChoice == null ? MissingNode.getInstance() : toolChoice,
        responseFormat == null ? ResponseFormat.TEXT : responseFormat.format(),
        stop == null ? List.of() : stop,
        n == null ? 1 : n.intValue(),
        user == null ? "" : user,
        metadata == null ? Map.of() : metadata,
        raw);
  }

  record StreamOptions(@Nullable Boolean includeUsage) {}

  /** One message; a tool result names its call, and only an assistant may say nothing. */
  record Message(
      @JsonDeserialize(using = Roles.class) @Nullable Role role,
      @JsonDeserialize(using = Content.class) @Nullable List<ContentPart> content,
      @Nullable List<Call> toolCalls,
      @Nullable String toolCallId,
      @Nullable JsonNode name) {
    Message {
      if (role == null) {
        throw WireProblem.missing("role");
      }
      if (role == Role.TOOL && toolCallId == null) {
        throw WireProblem.missing("tool_call_id");
      }
      boolean empty = content == null || content.isEmpty();
      if (empty && (toolCalls == null || toolCalls.isEmpty()) && role != Role.ASSISTANT) {
        throw WireProblem.missing("content");
      }
    }

    ChatMessage message() {
      return new ChatMessage(
          role,
          content == null ? List.of() : content,
          toolCalls == null ? List.of() : toolCalls.stream().map(Call::toolCall).toList(),
          role == Role.TOOL ? toolCallId : "",
          name != null && name.isTextual() ? name.asText() : "");
    }
  }

  /** A call an assistant made: its id and function are required, arguments default to {}. */
  record Call(@Nullable String id, @Nullable CalledFunction function) {
    Call {
      if (function == null) {
        throw WireProblem.missing("function");
      }
      if (id == null) {
        throw WireProblem.missing("id");
      }
    }

    ToolCall toolCall() {
      return new ToolCall(id, function.name(), function.argumentsText());
    }
  }

  record CalledFunction(@Nullable String name, @Nullable JsonNode arguments) {
    CalledFunction {
      if (name == null) {
        throw WireProblem.missing("name");
      }
    }

    String argumentsText() {
      return arguments != null && arguments.isTextual() ? arguments.asText() : "{}";
    }
  }

  record Tool(@Nullable FunctionSpec function) {
    Tool {
      if (function == null) {
        throw WireProblem.missing("function");
      }
    }

    ToolDefinition definition() {
      return new ToolDefinition(
          function.name(),
          function.description() == null ? "" : function.description(),
          function.parameters() != null
              ? function.parameters()
              : Json.object().put("type", "object"));
    }
  }

  record FunctionSpec(
      @Nullable String name, @Nullable String description, @Nullable ObjectNode parameters) {
    FunctionSpec {
      if (name == null) {
        throw WireProblem.missing("name");
      }
    }
  }

  record Format(@Nullable String type) {
    Format {
      if (type == null) {
        throw WireProblem.missing("type");
      }
      if (!List.of("text", "json_object", "json_schema").contains(type)) {
        String given = type;
        throw WireProblem.invalid(
            "type",
            path ->
                "Invalid value for '"
                    + path
                    + "': '"
                    + given
                    + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
      }
    }

    ResponseFormat format() {
      return switch (type) {
        case "json_object" -> ResponseFormat.JSON_OBJECT;
        case "json_schema" -> ResponseFormat.JSON_SCHEMA;
        default -> ResponseFormat.TEXT;
      };
    }
  }

  /** A role by OpenAI's name. */
  static final class Roles extends JsonDeserializer<Role> {
    @Override
    public Role deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      JsonNode node = parser.readValueAsTree();
      if (!node.isTextual()) {
        throw WireProblem.invalidType("", "a string", JsonNodes.describe(node));
      }
      String text = node.asText();
      return Role.parse(text)
          .orElseThrow(
              () ->
                  WireProblem.invalid(
                      "",
                      path ->
                          "Invalid value for '"
                              + path
                              + "': '"
                              + text
                              + "'. Supported values are: 'system', 'developer', 'user',"
                              + " 'assistant', 'tool' and 'function'."));
    }
  }

  /** Content is a string, or an array of typed parts (text, image_url, refusal, others kept). */
  static final class Content extends JsonDeserializer<List<ContentPart>> {
    @Override
    public List<ContentPart> deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      JsonNode node = parser.readValueAsTree();
      if (node.isTextual()) {
        return List.of(new ContentPart.Text(node.asText()));
      }
      if (!node.isArray()) {
        throw WireProblem.invalidType(
            "", "a string or an array of content parts", JsonNodes.describe(node));
      }
      List<ContentPart> parts = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        parts.add(part(node.get(i), "[" + i + "]"));
      }
      return parts;
    }

    private static ContentPart part(JsonNode part, String at) {
      if (!part.isObject()) {
        throw WireProblem.invalidType(at, "an object", JsonNodes.describe(part));
      }
      String type = JsonNodes.requiredText(part, "type", at);
      return switch (type) {
        case "text" -> new ContentPart.Text(JsonNodes.requiredText(part, "text", at));
        case "image_url" -> image(part.path("image_url"), at + ".image_url");
        case "refusal" -> new ContentPart.Text(part.path("refusal").asText(""));
        default -> new ContentPart.Other(type);
      };
    }

    private static ContentPart image(JsonNode image, String at) {
      if (image.isTextual()) {
        return new ContentPart.Image(image.asText(), "");
      }
      if (image.isObject()) {
        return new ContentPart.Image(
            JsonNodes.requiredText(image, "url", at), image.path("detail").asText(""));
      }
      if (JsonNodes.present(image)) {
        throw WireProblem.invalidType(at, "an object", JsonNodes.describe(image));
      }
      throw WireProblem.missing(at);
    }
  }

  /** {@code stop} is a string or an array of strings. */
  static final class Stops extends JsonDeserializer<List<String>> {
    @Override
    public List<String> deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      JsonNode node = parser.readValueAsTree();
      if (node.isTextual()) {
        return List.of(node.asText());
      }
      if (!node.isArray()) {
        throw WireProblem.invalidType(
            "", "a string or an array of strings", JsonNodes.describe(node));
      }
      List<String> stops = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        if (!node.get(i).isTextual()) {
          throw WireProblem.invalidType("[" + i + "]", "a string", JsonNodes.describe(node.get(i)));
        }
        stops.add(node.get(i).asText());
      }
      return stops;
    }
  }

  /** {@code tool_choice} is none, auto, required, or an object naming a function. */
  static final class ToolChoice extends JsonDeserializer<JsonNode> {
    @Override
    public JsonNode deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      JsonNode node = parser.readValueAsTree();
      if (node.isTextual()) {
        String value = node.asText();
        if (!List.of("none", "auto", "required").contains(value)) {
          throw WireProblem.invalid(
              "",
              path ->
                  "Invalid value for '"
                      + path
                      + "': '"
                      + value
                      + "'. Supported values are: 'none', 'auto' and 'required', or an object"
                      + " naming a function.");
        }
        return node;
      }
      if (!node.isObject()) {
        throw WireProblem.invalidType("", "a string or an object", JsonNodes.describe(node));
      }
      return node;
    }
  }
}
