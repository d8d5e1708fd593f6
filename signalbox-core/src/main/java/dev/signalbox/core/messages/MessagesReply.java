package dev.signalbox.core.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.Json;
import java.io.IOException;

/** Answers and errors in the Messages shape, from the gateway's chat completions ones. */
public final class MessagesReply {
  private MessagesReply() {}

  /** A chat.completion as a message. */
  public static ObjectNode message(JsonNode completion) {
    JsonNode choice = completion.path("choices").path(0);
    JsonNode answer = choice.path("message");
    ObjectNode message = Json.object();
    message.put("id", messageId(completion.path("id").asText("")));
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", completion.path("model").asText(""));
    ArrayNode content = message.putArray("content");
    String text = answer.path("content").asText("");
    if (!text.isEmpty()) {
      content.addObject().put("type", "text").put("text", text);
    }
    for (JsonNode call : answer.path("tool_calls")) {
      ObjectNode use =
          content
              .addObject()
              .put("type", "tool_use")
              .put("id", call.path("id").asText(""))
              .put("name", call.path("function").path("name").asText(""));
      use.set("input", arguments(call.path("function").path("arguments").asText("")));
    }
    message.put("stop_reason", stopReason(choice.path("finish_reason").asText("stop")));
    message.putNull("stop_sequence");
    message.set("usage", usage(completion.path("usage")));
    return message;
  }

  /** A chat completions finish reason as a Messages stop reason. */
  static String stopReason(String finishReason) {
    return switch (finishReason) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> "end_turn";
    };
  }

  /** Usage as Messages reports it: input tokens exclude those read from the prompt cache. */
  static ObjectNode usage(JsonNode usage) {
    long prompt = usage.path("prompt_tokens").asLong(0);
    long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
    ObjectNode result = Json.object();
    result.put("input_tokens", Math.max(0, prompt - cached));
    result.put("cache_read_input_tokens", cached);
    result.put("cache_creation_input_tokens", 0);
    result.put("output_tokens", usage.path("completion_tokens").asLong(0));
    return result;
  }

  /** A tool call's arguments as the object a tool_use block carries; text that is not JSON kept. */
  static JsonNode arguments(String arguments) {
    if (arguments.isBlank()) {
      return Json.object();
    }
    try {
      JsonNode parsed = Json.MAPPER.readTree(arguments);
      return parsed.isObject() ? parsed : Json.object().set("value", parsed);
    } catch (IOException e) {
      return Json.object().put("arguments", arguments);
    }
  }

  static String messageId(String completionId) {
    return completionId.startsWith("msg_") ? completionId : "msg_" + completionId;
  }

  /** Anthropic's error body: {@code {"type": "error", "error": {"type": ..., "message": ...}}}. */
  public static ObjectNode error(SignalboxException e) {
    ObjectNode body = Json.object().put("type", "error");
    body.putObject("error").put("type", errorType(e.kind())).put("message", e.getMessage());
    return body;
  }

  static String errorType(ErrorKind kind) {
    return switch (kind) {
      case UNAUTHENTICATED -> "authentication_error";
      case FORBIDDEN -> "permission_error";
      case NOT_FOUND -> "not_found_error";
      case PAYLOAD_TOO_LARGE -> "request_too_large";
      case RATE_LIMITED, BUDGET_EXHAUSTED -> "rate_limit_error";
      case NO_ELIGIBLE_MODEL, OVERLOADED -> "overloaded_error";
      case UPSTREAM_TIMEOUT -> "timeout_error";
      case UPSTREAM_FAILED, INTERNAL -> "api_error";
      default -> "invalid_request_error";
    };
  }
}
