package dev.signalbox.core.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * What a response carries beside its output: its id, its creation time and the settings of the
 * request it answers, echoed as OpenAI echoes them; and which tools were custom, so that their
 * calls go back as custom tool calls.
 *
 * @param id the response id, {@code resp_} and the gateway's request id (its trace)
 * @param createdAt seconds since the epoch
 */
public record ResponseContext(
    String id, long createdAt, ObjectNode request, Set<String> customTools) {
  private static final List<String> ECHOED =
      List.of(
          "instructions",
          "max_output_tokens",
          "previous_response_id",
          "tool_choice",
          "tools",
          "parallel_tool_calls",
          "temperature",
          "top_p",
          "reasoning",
          "text",
          "user",
          "prompt_cache_key");

  public ResponseContext {
    customTools = Set.copyOf(customTools);
  }

  /** The id a request gets: {@code resp_} and the gateway request id's own part. */
  public static String responseId(String requestId) {
    return "resp_" + (requestId.startsWith("req_") ? requestId.substring(4) : requestId);
  }

  /** A response with no output yet, in {@code status}. */
  public ObjectNode response(String status, String model) {
    ObjectNode response = Json.object();
    response.put("id", id);
    response.put("object", "response");
    response.put("created_at", createdAt);
    response.put("status", status);
    response.putNull("error");
    response.putNull("incomplete_details");
    response.put("model", model);
    response.putArray("output");
    for (String field : ECHOED) {
      response.set(field, request.has(field) ? request.get(field) : Json.MAPPER.nullNode());
    }
    if (!request.has("tools")) {
      response.putArray("tools");
    }
    response.put("store", request.path("store").asBoolean(true));
    response.set(
        "metadata", request.path("metadata").isObject() ? request.get("metadata") : Json.object());
    response.putNull("usage");
    return response;
  }

  /**
   * A response from an upstream that speaks the Responses API, made the gateway's own: its id, and
   * what the client asked of storage ({@code store}, {@code previous_response_id}), since the
   * upstream was asked to store nothing.
   */
  public ObjectNode adopt(ObjectNode upstream) {
    ObjectNode response = upstream.deepCopy();
    response.put("id", id);
    response.put("store", request.path("store").asBoolean(true));
    response.set(
        "previous_response_id",
        request.hasNonNull("previous_response_id")
            ? request.get("previous_response_id")
            : Json.MAPPER.nullNode());
    return response;
  }

  /** The finished response for a chat completion. */
  public ObjectNode completed(JsonNode completion) {
    JsonNode choice = completion.path("choices").path(0);
    JsonNode answer = choice.path("message");
    String finish = choice.path("finish_reason").asText("stop");
    ObjectNode response = response(status(finish), completion.path("model").asText(""));
    ArrayNode output = (ArrayNode) response.get("output");
    String text = answer.path("content").asText("");
    if (answer.path("refusal").isTextual()) {
      output.add(refusal(itemId("msg", 0), answer.get("refusal").asText()));
    } else if (!text.isEmpty()) {
      output.add(message(itemId("msg", 0), text, "completed"));
    }
    int index = 1;
    for (JsonNode call : answer.path("tool_calls")) {
      output.add(
          toolCall(
              itemId("fc", index++),
              call.path("id").asText(""),
              call.path("function").path("name").asText(""),
              call.path("function").path("arguments").asText(""),
              "completed"));
    }
    finish(response, finish, completion.path("usage"));
    return response;
  }

  /** The id of the response's {@code index}th output item. */
  String itemId(String prefix, int index) {
    return prefix + "_" + id.substring("resp_".length()) + "_" + index;
  }

  static ObjectNode message(String id, String text, String status) {
    ObjectNode item =
        Json.object()
            .put("type", "message")
            .put("id", id)
            .put("status", status)
            .put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (status.equals("completed")) {
      content.add(outputText(text));
    }
    return item;
  }

  static ObjectNode outputText(String text) {
    ObjectNode part = Json.object().put("type", "output_text").put("text", text);
    part.putArray("annotations");
    part.putArray("logprobs");
    return part;
  }

  private static ObjectNode refusal(String itemId, String refusal) {
    ObjectNode item =
        Json.object()
            .put("type", "message")
            .put("id", itemId)
            .put("status", "completed")
            .put("role", "assistant");
    item.putArray("content").addObject().put("type", "refusal").put("refusal", refusal);
    return item;
  }

  /** A call as a function call item, or a custom tool call when its tool is a custom one. */
  ObjectNode toolCall(String itemId, String callId, String name, String arguments, String status) {
    ObjectNode item = Json.object();
    if (customTools.contains(name)) {
      item.put("type", "custom_tool_call").put("id", itemId.replace("fc_", "ctc_"));
      item.put("status", status).put("call_id", callId).put("name", name);
      item.put("input", customInput(arguments));
    } else {
      item.put("type", "function_call").put("id", itemId).put("status", status);
      item.put("call_id", callId).put("name", name).put("arguments", arguments);
    }
    return item;
  }

  /** A custom tool's input from the one-string function it was offered as. */
  static String customInput(String arguments) {
    try {
      JsonNode parsed = Json.MAPPER.readTree(arguments);
      JsonNode input = parsed == null ? null : parsed.get(ResponsesRequest.CUSTOM_INPUT);
      return input != null && input.isTextual() ? input.asText() : arguments;
    } catch (IOException e) {
      return arguments;
    }
  }

  /** A chat completions finish reason as a response status. */
  static String status(String finishReason) {
    return switch (finishReason) {
      case "length", "content_filter" -> "incomplete";
      default -> "completed";
    };
  }

  /** Sets the status, why it is incomplete and the usage, as Responses reports them. */
  static void finish(ObjectNode response, String finishReason, JsonNode usage) {
    response.put("status", status(finishReason));
    if (finishReason.equals("length")) {
      response.putObject("incomplete_details").put("reason", "max_output_tokens");
    } else if (finishReason.equals("content_filter")) {
      response.putObject("incomplete_details").put("reason", "content_filter");
    }
    response.set("usage", usage(usage));
  }

  static ObjectNode usage(JsonNode usage) {
    long input = usage.path("prompt_tokens").asLong(0);
    long output = usage.path("completion_tokens").asLong(0);
    ObjectNode result = Json.object().put("input_tokens", input);
    result
        .putObject("input_tokens_details")
        .put("cached_tokens", usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
    result.put("output_tokens", output);
    result
        .putObject("output_tokens_details")
        .put(
            "reasoning_tokens",
            usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
    result.put("total_tokens", input + output);
    return result;
  }
}
