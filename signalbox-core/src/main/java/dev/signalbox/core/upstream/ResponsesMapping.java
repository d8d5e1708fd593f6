package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.Usage;
import dev.signalbox.core.wire.Json;

/**
 * What an OpenAI Responses answer means to the gateway, in chat completions terms: its text, its
 * function calls, its finish reason and usage. The answer itself reaches the client as sent.
 */
final class ResponsesMapping {
  private ResponsesMapping() {}

  /** A response object as a chat.completion. */
  static ObjectNode completion(JsonNode response, long created) {
    ObjectNode completion =
        Json.chunk(response.path("id").asText("resp"), created, response.path("model").asText());
    completion.put("object", "chat.completion");
    ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    StringBuilder text = new StringBuilder();
    ArrayNode calls = Json.MAPPER.createArrayNode();
    for (JsonNode item : response.path("output")) {
      switch (item.path("type").asText()) {
        case "message" -> {
          for (JsonNode part : item.path("content")) {
            text.append(part.path("text").asText(""));
          }
        }
        case "function_call", "custom_tool_call" -> {
          ObjectNode call = calls.addObject();
          call.put("id", item.path("call_id").asText());
          call.put("type", "function");
          call.putObject("function")
              .put("name", item.path("name").asText())
              .put("arguments", item.path("arguments").asText(item.path("input").asText("")));
        }
        default -> {}
      }
    }
    message.put("content", text.toString());
    if (!calls.isEmpty()) {
      message.set("tool_calls", calls);
    }
    choice.put("finish_reason", finishReason(response, !calls.isEmpty()));
    completion.set("usage", Json.usage(usage(response.path("usage"))));
    return completion;
  }

  static String finishReason(JsonNode response, boolean toolCalls) {
    if (response.path("status").asText().equals("incomplete")) {
      return response.path("incomplete_details").path("reason").asText().equals("content_filter")
          ? "content_filter"
          : "length";
    }
    return toolCalls ? "tool_calls" : "stop";
  }

  /** A Responses usage object; input tokens include those read from the cache. */
  static Usage usage(JsonNode usage) {
    return new Usage(
        usage.path("input_tokens").asLong(0),
        usage.path("input_tokens_details").path("cached_tokens").asLong(0),
        usage.path("output_tokens").asLong(0),
        false);
  }
}
