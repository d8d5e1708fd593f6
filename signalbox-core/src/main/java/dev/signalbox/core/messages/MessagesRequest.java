package dev.signalbox.core.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.Truncated;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A Messages request as the chat completions request the router reads: system blocks become a
 * system message, {@code tool_use} blocks become tool calls and {@code tool_result} blocks tool
 * messages, images become image parts, {@code stop_sequences} become {@code stop}, {@code
 * metadata.user_id} becomes {@code user}. What a chat completions upstream cannot take (thinking
 * blocks and their signatures, {@code cache_control}, {@code top_k}) is left out of the
 * translation; a stream always asks for usage, which the message's events report.
 */
public final class MessagesRequest {
  private MessagesRequest() {}

  /** The chat completions body for a Messages body; a 400 naming the field when it is not one. */
  public static ObjectNode toChat(JsonNode body) {
    if (!(body instanceof ObjectNode messagesBody)) {
      throw invalid("The request body must be a JSON object.", null);
    }
    ObjectNode chat = Json.object();
    chat.put("model", requiredText(messagesBody, "model"));
    JsonNode maxTokens = messagesBody.get("max_tokens");
    if (maxTokens == null || !maxTokens.canConvertToInt() || maxTokens.asInt() < 1) {
      throw invalid("'max_tokens' is required: a positive integer.", "max_tokens");
    }
    chat.put("max_tokens", maxTokens.asInt());
    ArrayNode messages = chat.putArray("messages");
    system(messagesBody.get("system"), messages);
    JsonNode turns = messagesBody.get("messages");
    if (turns == null || !turns.isArray() || turns.isEmpty()) {
      throw invalid("'messages' must be a non-empty array.", "messages");
    }
    for (int i = 0; i < turns.size(); i++) {
      turn(turns.get(i), "messages[" + i + "]", messages);
    }
    for (String number : List.of("temperature", "top_p")) {
      if (messagesBody.hasNonNull(number)) {
        chat.set(number, messagesBody.get(number));
      }
    }
    JsonNode stops = messagesBody.get("stop_sequences");
    if (stops != null && stops.isArray() && !stops.isEmpty()) {
      chat.set("stop", stops);
    }
    JsonNode user = messagesBody.path("metadata").get("user_id");
    if (user != null && user.isTextual()) {
      chat.put("user", user.asText());
    }
    tools(messagesBody.get("tools"), chat);
    toolChoice(messagesBody.get("tool_choice"), chat);
    if (messagesBody.path("stream").asBoolean(false)) {
      chat.put("stream", true);
      chat.putObject("stream_options").put("include_usage", true);
    }
    return chat;
  }

  private static void system(JsonNode system, ArrayNode messages) {
    if (system == null || system.isNull()) {
      return;
    }
    String text;
    if (system.isTextual()) {
      text = system.asText();
    } else if (system.isArray()) {
      List<String> parts = new ArrayList<>();
      for (JsonNode block : system) {
        parts.add(textBlock(block, "system"));
      }
      text = String.join("\n\n", parts);
    } else {
      throw invalid("'system' must be a string or an array of text blocks.", "system");
    }
    if (!text.isEmpty()) {
      messages.addObject().put("role", "system").put("content", text);
    }
  }

  private static void turn(JsonNode turn, String where, ArrayNode messages) {
    String role = turn.path("role").asText("");
    if (role.equals("system")) {
      // Claude Code's mid-conversation system messages (a beta of the Messages API).
      ArrayNode system = Json.MAPPER.createArrayNode();
      system(turn.get("content"), system);
      messages.addAll(system);
      return;
    }
    if (!role.equals("user") && !role.equals("assistant")) {
      throw invalid(where + ".role must be 'user', 'assistant' or 'system'.", where + ".role");
    }
    JsonNode content = turn.get("content");
    if (content != null && content.isTextual()) {
      messages.addObject().put("role", role).put("content", content.asText());
      return;
    }
    if (content == null || !content.isArray()) {
      throw invalid(where + ".content must be a string or an array of blocks.", where + ".content");
    }
    if (role.equals("assistant")) {
      assistant(content, where, messages);
    } else {
      user(content, where, messages);
    }
  }

  /** Tool results first, as the tool messages that answer the previous turn's calls. */
  private static void user(JsonNode blocks, String where, ArrayNode messages) {
    ArrayNode parts = Json.MAPPER.createArrayNode();
    for (int i = 0; i < blocks.size(); i++) {
      JsonNode block = blocks.get(i);
      String at = where + ".content[" + i + "]";
      switch (block.path("type").asText("")) {
        case "text" -> parts.addObject().put("type", "text").put("text", textBlock(block, at));
        case "image" -> parts.add(image(block, at));
        case "tool_result" ->
            messages
                .addObject()
                .put("role", "tool")
                .put("tool_call_id", requiredText(block, "tool_use_id"))
                .put("content", toolResult(block.get("content"), at));
        case "document", "search_result" ->
            throw invalid(
                at + ": '" + block.path("type").asText() + "' blocks are not supported.", at);
        default ->
            throw invalid(
                at
                    + ".type '"
                    + Truncated.of(block.path("type").asText(""), 40)
                    + "' is not a user block (text, image, tool_result).",
                at + ".type");
      }
    }
    if (!parts.isEmpty()) {
      ObjectNode message = messages.addObject().put("role", "user");
      if (parts.size() == 1 && parts.get(0).path("type").asText().equals("text")) {
        message.put("content", parts.get(0).path("text").asText());
      } else {
        message.set("content", parts);
      }
    }
  }

  private static void assistant(JsonNode blocks, String where, ArrayNode messages) {
    StringBuilder text = new StringBuilder();
    ArrayNode calls = Json.MAPPER.createArrayNode();
    for (int i = 0; i < blocks.size(); i++) {
      JsonNode block = blocks.get(i);
      String at = where + ".content[" + i + "]";
      switch (block.path("type").asText("")) {
        case "text" -> text.append(textBlock(block, at));
        case "tool_use" -> {
          ObjectNode call =
              calls.addObject().put("id", requiredText(block, "id")).put("type", "function");
          call.putObject("function")
              .put("name", requiredText(block, "name"))
              .put("arguments", Json.text(block.has("input") ? block.get("input") : Json.object()));
        }
        // A chat completions upstream has no place for reasoning that it did not produce.
        case "thinking", "redacted_thinking" -> {}
        default ->
            throw invalid(
                at
                    + ".type '"
                    + Truncated.of(block.path("type").asText(""), 40)
                    + "' is not an assistant block (text, tool_use, thinking).",
                at + ".type");
      }
    }
    ObjectNode message = messages.addObject().put("role", "assistant");
    if (!text.isEmpty() || calls.isEmpty()) {
      message.put("content", text.toString());
    } else {
      message.putNull("content");
    }
    if (!calls.isEmpty()) {
      message.set("tool_calls", calls);
    }
  }

  private static String toolResult(JsonNode content, String where) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      throw invalid(where + ".content must be a string or an array of text blocks.", where);
    }
    List<String> parts = new ArrayList<>();
    for (JsonNode block : content) {
      if (block.path("type").asText("").equals("text")) {
        parts.add(block.path("text").asText(""));
      }
    }
    return String.join("\n", parts);
  }

  private static ObjectNode image(JsonNode block, String where) {
    JsonNode source = block.path("source");
    String url =
        switch (source.path("type").asText("")) {
          case "base64" ->
              "data:"
                  + requiredText(source, "media_type")
                  + ";base64,"
                  + requiredText(source, "data");
          case "url" -> requiredText(source, "url");
          default -> throw invalid(where + ".source.type must be 'base64' or 'url'.", where);
        };
    ObjectNode part = Json.object().put("type", "image_url");
    part.putObject("image_url").put("url", url);
    return part;
  }

  private static void tools(JsonNode tools, ObjectNode chat) {
    if (tools == null || tools.isNull()) {
      return;
    }
    if (!tools.isArray()) {
      throw invalid("'tools' must be an array.", "tools");
    }
    ArrayNode functions = chat.putArray("tools");
    for (int i = 0; i < tools.size(); i++) {
      JsonNode tool = tools.get(i);
      String type = tool.path("type").asText("custom");
      if (!type.equals("custom")) {
        throw invalid(
            "tools["
                + i
                + "]: the server tool '"
                + Truncated.of(type, 40)
                + "' is not supported; only client tools (name, description, input_schema) are.",
            "tools[" + i + "].type");
      }
      ObjectNode function = functions.addObject().put("type", "function").putObject("function");
      function.put("name", requiredText(tool, "name"));
      if (tool.hasNonNull("description")) {
        function.put("description", tool.get("description").asText());
      }
      function.set(
          "parameters",
          tool.has("input_schema")
              ? tool.get("input_schema")
              : Json.object().put("type", "object"));
    }
  }

  private static void toolChoice(JsonNode choice, ObjectNode chat) {
    if (choice == null || choice.isNull()) {
      return;
    }
    switch (choice.path("type").asText("")) {
      case "auto" -> chat.put("tool_choice", "auto");
      case "any" -> chat.put("tool_choice", "required");
      case "none" -> chat.put("tool_choice", "none");
      case "tool" -> {
        ObjectNode named = chat.putObject("tool_choice").put("type", "function");
        named.putObject("function").put("name", requiredText(choice, "name"));
      }
      default ->
          throw invalid("'tool_choice.type' must be auto, any, tool or none.", "tool_choice.type");
    }
    if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
      chat.put("parallel_tool_calls", false);
    }
  }

  private static String textBlock(JsonNode block, String where) {
    if (!block.path("type").asText("").equals("text") || !block.path("text").isTextual()) {
      throw invalid(where + " must be a text block: {\"type\": \"text\", \"text\": ...}.", where);
    }
    return block.get("text").asText();
  }

  private static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw invalid("'" + field + "' must be a non-empty string.", field);
    }
    return value.asText();
  }

  static SignalboxException invalid(String message, @Nullable String param) {
    return new SignalboxException(ErrorKind.INVALID_REQUEST, message, param, "invalid_request");
  }
}
