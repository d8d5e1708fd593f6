package dev.signalbox.core.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.Truncated;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A Responses request as the chat completions request the router reads. The conversation is the
 * stored one it continues ({@code previous_response_id}) followed by its {@code input}: messages
 * become chat messages ({@code developer} as {@code system}, which every chat upstream takes),
 * {@code function_call} and {@code custom_tool_call} items become the assistant's tool calls and
 * their outputs tool messages; {@code instructions} lead as a system message. Function tools pass
 * as functions; a custom (free-form) tool becomes a function of one string, {@code input}, and its
 * calls become custom tool calls again on the way back. Reasoning items and hosted tools ({@code
 * web_search}, {@code namespace}, ...) have no place in a chat request and are left out.
 *
 * @param chat the chat completions body
 * @param conversation every input item the answer follows, history first: what a stored response
 *     keeps for the next turn and for {@code input_items}
 * @param customTools the names of the request's custom tools
 */
public record ResponsesRequest(
    ObjectNode chat, List<JsonNode> conversation, Set<String> customTools) {
  static final String CUSTOM_INPUT = "input";

  public ResponsesRequest {
    conversation = List.copyOf(conversation);
    customTools = Set.copyOf(customTools);
  }

  /** The chat request for a Responses body after {@code history}; a 400 naming the field. */
  /**
   * The body an upstream that speaks the Responses API receives: the client's, with the whole
   * conversation as its input in place of {@code previous_response_id} (which only the gateway
   * knows), and nothing stored upstream. So the items go without their ids (an upstream that stored
   * nothing knows none), and reasoning items only with their encrypted content.
   */
  public ObjectNode passedThrough(ObjectNode body) {
    ObjectNode passed = body.objectNode(); // the top level only: nothing below it is written
    passed.setAll(body);
    passed.remove("previous_response_id");
    ArrayNode input = passed.putArray("input");
    for (JsonNode item : conversation) {
      if (item.path("type").asText().equals("reasoning") && !item.has("encrypted_content")) {
        continue;
      }
      if (item instanceof ObjectNode object && object.has("id")) {
        input.add(object.deepCopy().without("id"));
      } else {
        input.add(item);
      }
    }
    passed.put("store", false);
    return passed;
  }

  public static ResponsesRequest of(JsonNode body, List<JsonNode> history) {
    if (!(body instanceof ObjectNode request)) {
      throw invalid("The request body must be a JSON object.", null);
    }
    ObjectNode chat = Json.object();
    chat.put("model", requiredText(request, "model", "model"));
    List<JsonNode> conversation = new ArrayList<>(history);
    conversation.addAll(inputItems(request.get("input")));
    ArrayNode messages = chat.putArray("messages");
    JsonNode instructions = request.get("instructions");
    if (instructions != null && !instructions.isNull()) {
      if (!instructions.isTextual()) {
        throw invalid("'instructions' must be a string.", "instructions");
      }
      if (!instructions.asText().isEmpty()) {
        messages.addObject().put("role", "system").put("content", instructions.asText());
      }
    }
    int first = history.size();
    for (int i = 0; i < conversation.size(); i++) {
      String where = i < first ? "previous_response_id" : "input[" + (i - first) + "]";
      item(conversation.get(i), where, messages);
    }
    if (messages.isEmpty()) {
      throw invalid("'input' must hold at least one message.", "input");
    }
    JsonNode maxTokens = request.get("max_output_tokens");
    if (maxTokens != null && !maxTokens.isNull()) {
      if (!maxTokens.canConvertToInt() || !maxTokens.isIntegralNumber() || maxTokens.asInt() < 1) {
        throw invalid("'max_output_tokens' must be a positive integer.", "max_output_tokens");
      }
      chat.put("max_tokens", maxTokens.asInt());
    }
    for (String field : List.of("temperature", "top_p", "user", "parallel_tool_calls")) {
      if (request.hasNonNull(field)) {
        chat.set(field, request.get(field));
      }
    }
    if (request.path("metadata").isObject() && !request.get("metadata").isEmpty()) {
      chat.set("metadata", request.get("metadata"));
    }
    if (request.path("prompt_cache_key").isTextual()) {
      chat.set("prompt_cache_key", request.get("prompt_cache_key"));
    }
    JsonNode effort = request.path("reasoning").path("effort");
    if (effort.isTextual()) {
      chat.put("reasoning_effort", effort.asText());
    }
    textFormat(request.path("text").get("format"), chat);
    Set<String> customTools = tools(request.get("tools"), chat);
    toolChoice(request.get("tool_choice"), chat);
    if (request.path("stream").asBoolean(false)) {
      chat.put("stream", true);
      chat.putObject("stream_options").put("include_usage", true);
    }
    return new ResponsesRequest(chat, conversation, customTools);
  }

  /** The input as items: a string is one user message. */
  private static List<JsonNode> inputItems(@Nullable JsonNode input) {
    if (input == null || input.isNull()) {
      throw invalid("'input' is required: a string or an array of items.", "input");
    }
    if (input.isTextual()) {
      ObjectNode message = Json.object().put("type", "message").put("role", "user");
      message.putArray("content").addObject().put("type", "input_text").put("text", input.asText());
      return List.of(message);
    }
    if (!input.isArray()) {
      throw invalid("'input' must be a string or an array of items.", "input");
    }
    List<JsonNode> items = new ArrayList<>();
    input.forEach(items::add);
    return items;
  }

  private static void item(JsonNode item, String where, ArrayNode messages) {
    if (!item.isObject()) {
      throw invalid(where + " must be an object.", where);
    }
    // An item with a role and no type is a message ("easy input message").
    String type = item.path("type").asText(item.has("role") ? "message" : "");
    switch (type) {
      case "message" -> message(item, where, messages);
      case "function_call" ->
          toolCall(
              messages,
              requiredText(item, "call_id", where + ".call_id"),
              requiredText(item, "name", where + ".name"),
              item.path("arguments").asText("{}"));
      case "custom_tool_call" ->
          toolCall(
              messages,
              requiredText(item, "call_id", where + ".call_id"),
              requiredText(item, "name", where + ".name"),
              Json.text(Json.object().put(CUSTOM_INPUT, item.path("input").asText(""))));
      case "function_call_output", "custom_tool_call_output" ->
          messages
              .addObject()
              .put("role", "tool")
              .put("tool_call_id", requiredText(item, "call_id", where + ".call_id"))
              .put("content", outputText(item.get("output"), where + ".output"));
      // Reasoning that a chat upstream did not produce has no place in its request.
      case "reasoning" -> {}
      default ->
          throw invalid(
              where
                  + ".type '"
                  + Truncated.of(type, 40)
                  + "' is not supported (message, function_call, function_call_output,"
                  + " custom_tool_call, custom_tool_call_output, reasoning).",
              where + ".type");
    }
  }

  private static void message(JsonNode item, String where, ArrayNode messages) {
    String role = item.path("role").asText("");
    String chatRole =
        switch (role) {
          case "user", "assistant", "system" -> role;
          case "developer" -> "system";
          default ->
              throw invalid(
                  where + ".role must be 'user', 'assistant', 'system' or 'developer'.",
                  where + ".role");
        };
    JsonNode content = item.get("content");
    if (content != null && content.isTextual()) {
      messages.addObject().put("role", chatRole).put("content", content.asText());
      return;
    }
    if (content == null || !content.isArray()) {
      throw invalid(where + ".content must be a string or an array of parts.", where + ".content");
    }
    ArrayNode parts = Json.MAPPER.createArrayNode();
    for (int i = 0; i < content.size(); i++) {
      parts.add(part(content.get(i), where + ".content[" + i + "]"));
    }
    ObjectNode message = messages.addObject().put("role", chatRole);
    boolean textOnly = true;
    StringBuilder text = new StringBuilder();
    for (JsonNode part : parts) {
      textOnly &= part.path("type").asText().equals("text");
      text.append(part.path("text").asText(""));
    }
    if (textOnly) {
      message.put("content", text.toString());
    } else {
      message.set("content", parts);
    }
  }

  private static ObjectNode part(JsonNode part, String where) {
    String type = part.path("type").asText("");
    return switch (type) {
      case "input_text", "output_text", "text" ->
          Json.object()
              .put("type", "text")
              .put("text", requiredText(part, "text", where + ".text"));
      case "refusal" ->
          Json.object().put("type", "text").put("text", part.path("refusal").asText(""));
      case "input_image" -> {
        JsonNode url = part.get("image_url");
        if (url == null || !url.isTextual()) {
          throw invalid(
              where + ": an input_image needs an image_url (file_id is not supported).",
              where + ".image_url");
        }
        ObjectNode image = Json.object().put("type", "image_url");
        ObjectNode imageUrl = image.putObject("image_url").put("url", url.asText());
        if (part.path("detail").isTextual()) {
          imageUrl.put("detail", part.get("detail").asText());
        }
        yield image;
      }
      default ->
          throw invalid(
              where
                  + ".type '"
                  + Truncated.of(type, 40)
                  + "' is not supported (input_text, output_text, input_image, refusal).",
              where + ".type");
    };
  }

  /** A call joins the assistant message just before it, as chat completions keeps them. */
  private static void toolCall(ArrayNode messages, String callId, String name, String arguments) {
    JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    ObjectNode assistant;
    if (last instanceof ObjectNode message && message.path("role").asText().equals("assistant")) {
      assistant = message;
    } else {
      assistant = messages.addObject().put("role", "assistant");
      assistant.putNull("content");
    }
    ArrayNode calls =
        assistant.has("tool_calls")
            ? (ArrayNode) assistant.get("tool_calls")
            : assistant.putArray("tool_calls");
    ObjectNode call = calls.addObject().put("id", callId).put("type", "function");
    call.putObject("function").put("name", name).put("arguments", arguments);
  }

  private static String outputText(@Nullable JsonNode output, String where) {
    if (output == null || output.isNull()) {
      return "";
    }
    if (output.isTextual()) {
      return output.asText();
    }
    if (!output.isArray()) {
      throw invalid(where + " must be a string or an array of parts.", where);
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : output) {
      text.append(part.path("text").asText(""));
    }
    return text.toString();
  }

  private static void textFormat(@Nullable JsonNode format, ObjectNode chat) {
    if (format == null || format.isNull()) {
      return;
    }
    switch (format.path("type").asText("")) {
      case "text" -> {}
      case "json_object" -> chat.putObject("response_format").put("type", "json_object");
      case "json_schema" -> {
        ObjectNode schema =
            chat.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        schema.put("name", requiredText(format, "name", "text.format.name"));
        if (!format.path("schema").isObject()) {
          throw invalid("'text.format.schema' must be a JSON schema object.", "text.format.schema");
        }
        schema.set("schema", format.get("schema"));
        for (String field : List.of("strict", "description")) {
          if (format.hasNonNull(field)) {
            schema.set(field, format.get(field));
          }
        }
      }
      default ->
          throw invalid(
              "'text.format.type' must be text, json_object or json_schema.", "text.format.type");
    }
  }

  private static Set<String> tools(@Nullable JsonNode tools, ObjectNode chat) {
    Set<String> custom = new LinkedHashSet<>();
    if (tools == null || tools.isNull()) {
      return custom;
    }
    if (!tools.isArray()) {
      throw invalid("'tools' must be an array.", "tools");
    }
    ArrayNode functions = Json.MAPPER.createArrayNode();
    for (int i = 0; i < tools.size(); i++) {
      JsonNode tool = tools.get(i);
      String where = "tools[" + i + "]";
      switch (tool.path("type").asText("")) {
        case "function" -> {
          ObjectNode function = functions.addObject().put("type", "function").putObject("function");
          function.put("name", requiredText(tool, "name", where + ".name"));
          if (tool.hasNonNull("description")) {
            function.set("description", tool.get("description"));
          }
          function.set(
              "parameters",
              tool.path("parameters").isObject()
                  ? tool.get("parameters")
                  : Json.object().put("type", "object"));
          if (tool.hasNonNull("strict")) {
            function.set("strict", tool.get("strict"));
          }
        }
        case "custom" -> {
          String name = requiredText(tool, "name", where + ".name");
          custom.add(name);
          ObjectNode function = functions.addObject().put("type", "function").putObject("function");
          function.put("name", name);
          if (tool.hasNonNull("description")) {
            function.set("description", tool.get("description"));
          }
          ObjectNode parameters = function.putObject("parameters").put("type", "object");
          parameters
              .putObject("properties")
              .putObject(CUSTOM_INPUT)
              .put("type", "string")
              .put("description", "The tool's free-form input.");
          parameters.putArray("required").add(CUSTOM_INPUT);
        }
        // Hosted tools (web_search, file_search, namespaces of them, ...) run at OpenAI, not here.
        default -> {}
      }
    }
    if (!functions.isEmpty()) {
      chat.set("tools", functions);
    }
    return custom;
  }

  private static void toolChoice(@Nullable JsonNode choice, ObjectNode chat) {
    if (choice == null || choice.isNull() || !chat.has("tools")) {
      return;
    }
    if (choice.isTextual()) {
      switch (choice.asText()) {
        case "auto", "none", "required" -> chat.put("tool_choice", choice.asText());
        default ->
            throw invalid("'tool_choice' must be auto, none, required or a tool.", "tool_choice");
      }
      return;
    }
    switch (choice.path("type").asText("")) {
      case "function", "custom" -> {
        ObjectNode named = chat.putObject("tool_choice").put("type", "function");
        named.putObject("function").put("name", requiredText(choice, "name", "tool_choice.name"));
      }
      case "allowed_tools" -> chat.put("tool_choice", choice.path("mode").asText("auto"));
      default -> chat.put("tool_choice", "auto");
    }
  }

  private static String requiredText(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw invalid("'" + where + "' must be a non-empty string.", where);
    }
    return value.asText();
  }

  static SignalboxException invalid(String message, @Nullable String param) {
    return new SignalboxException(ErrorKind.INVALID_REQUEST, message, param, "invalid_value");
  }
}
