package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ContentPart;
import dev.signalbox.api.Role;
import dev.signalbox.api.ToolCall;
import dev.signalbox.api.ToolDefinition;
import dev.signalbox.api.Usage;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Maps OpenAI chat requests to Anthropic Messages requests, and Anthropic answers back. */
final class AnthropicMapping {
  static final int DEFAULT_MAX_TOKENS = 4_096;

  private AnthropicMapping() {}

  /**
   * A Messages request passed through: the client's body with the deployment's model. Metadata
   * keeps only {@code user_id}, the one key Anthropic takes (a client may send the gateway a {@code
   * session_id} there).
   */
  static ObjectNode passedThrough(ObjectNode original, String model, boolean stream) {
    ObjectNode body = PassedThrough.body(original, model, stream);
    JsonNode user = body.path("metadata").get("user_id");
    if (user == null) {
      body.remove("metadata");
    } else if (body.get("metadata").size() > 1) {
      body.set("metadata", Json.object().set("user_id", user)); // the client's node stays as sent
    }
    return body;
  }

  static ObjectNode request(ChatRequest request, String model, boolean stream) {
    ObjectNode body = Json.object();
    body.put("model", model);
    body.put("max_tokens", request.maxTokens().orElse(DEFAULT_MAX_TOKENS));
    List<String> system = new ArrayList<>();
    ArrayNode messages = body.putArray("messages");
    ObjectNode pendingToolResults = null;
    for (ChatMessage message : request.messages()) {
      switch (message.role()) {
        case SYSTEM, DEVELOPER -> system.add(message.text());
        case TOOL, FUNCTION -> {
          if (pendingToolResults == null) {
            pendingToolResults = messages.addObject();
            pendingToolResults.put("role", "user");
            pendingToolResults.putArray("content");
          }
          ObjectNode result = ((ArrayNode) pendingToolResults.get("content")).addObject();
          result.put("type", "tool_result");
          result.put("tool_use_id", message.toolCallId());
          result.put("content", message.text());
        }
        case USER, ASSISTANT -> {
          pendingToolResults = null;
          ObjectNode out = messages.addObject();
          out.put("role", message.role() == Role.USER ? "user" : "assistant");
          out.set("content", content(message));
        }
      }
    }
    if (!system.isEmpty()) {
      body.put("system", String.join("\n\n", system));
    }
    request.temperature().ifPresent(t -> body.put("temperature", Math.min(1.0, t)));
    if (!request.stop().isEmpty()) {
      ArrayNode stops = body.putArray("stop_sequences");
      request.stop().forEach(stops::add);
    }
    if (!request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolDefinition tool : request.tools()) {
        ObjectNode t = tools.addObject();
        t.put("name", tool.name());
        if (!tool.description().isEmpty()) {
          t.put("description", tool.description());
        }
        t.set(
            "input_schema",
            tool.parameters().isObject() ? tool.parameters() : Json.object().put("type", "object"));
      }
      toolChoice(request.toolChoice()).ifPresent(choice -> body.set("tool_choice", choice));
    }
    if (!request.user().isEmpty()) {
      body.putObject("metadata").put("user_id", request.user());
    }
    if (stream) {
      body.put("stream", true);
    }
    return body;
  }

  private static Optional<ObjectNode> toolChoice(JsonNode choice) {
    if (choice.isTextual()) {
      return switch (choice.asText()) {
        case "required" -> Optional.of(Json.object().put("type", "any"));
        case "none" -> Optional.of(Json.object().put("type", "none"));
        default -> Optional.of(Json.object().put("type", "auto"));
      };
    }
    if (choice.isObject() && choice.path("function").path("name").isTextual()) {
      return Optional.of(
          Json.object()
              .put("type", "tool")
              .put("name", choice.path("function").path("name").asText()));
    }
    return Optional.empty();
  }

  private static ArrayNode content(ChatMessage message) {
    ArrayNode blocks = Json.MAPPER.createArrayNode();
    for (ContentPart part : message.content()) {
      switch (part) {
        case ContentPart.Text text -> {
          if (!text.text().isEmpty()) {
            blocks.addObject().put("type", "text").put("text", text.text());
          }
        }
        case ContentPart.Image image -> blocks.add(image(image.url()));
        case ContentPart.Other other -> {
          // Audio and files have no Anthropic counterpart here; they are left out.
        }
      }
    }
    for (ToolCall call : message.toolCalls()) {
      ObjectNode use = blocks.addObject();
      use.put("type", "tool_use");
      use.put("id", call.id());
      use.put("name", call.name());
      use.set("input", parseArguments(call.arguments()));
    }
    return blocks;
  }

  private static ObjectNode image(String url) {
    ObjectNode block = Json.object();
    block.put("type", "image");
    ObjectNode source = block.putObject("source");
    if (url.startsWith("data:") && url.contains(";base64,")) {
      int comma = url.indexOf(',');
      source.put("type", "base64");
      source.put("media_type", url.substring(5, url.indexOf(';')));
      source.put("data", url.substring(comma + 1));
    } else {
      source.put("type", "url");
      source.put("url", url);
    }
    return block;
  }

  private static JsonNode parseArguments(String arguments) {
    try {
      JsonNode node = Json.MAPPER.readTree(arguments.isBlank() ? "{}" : arguments);
      return node != null && node.isObject() ? node : Json.object();
    } catch (IOException e) {
      return Json.object();
    }
  }

  static String finishReason(String stopReason) {
    return switch (stopReason) {
      case "max_tokens" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop";
    };
  }

  static Usage usage(JsonNode usage, long outputTokens) {
    long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
    long prompt =
        usage.path("input_tokens").asLong(0)
            + cacheRead
            + usage.path("cache_creation_input_tokens").asLong(0);
    return new Usage(
        prompt, cacheRead, Math.max(outputTokens, usage.path("output_tokens").asLong(0)), false);
  }

  /** An Anthropic message as an OpenAI chat.completion object. */
  static ObjectNode completion(JsonNode message, long created) {
    ObjectNode body = Json.object();
    body.put("id", message.path("id").asText("msg"));
    body.put("object", "chat.completion");
    body.put("created", created);
    body.put("model", message.path("model").asText(""));
    ObjectNode choice = body.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode out = choice.putObject("message");
    out.put("role", "assistant");
    StringBuilder text = new StringBuilder();
    ArrayNode calls = Json.MAPPER.createArrayNode();
    for (JsonNode block : message.path("content")) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText());
        case "tool_use" -> {
          ObjectNode call = calls.addObject();
          call.put("id", block.path("id").asText());
          call.put("type", "function");
          call.putObject("function")
              .put("name", block.path("name").asText())
              .put("arguments", Json.text(block.path("input")));
        }
        default -> {
          // Thinking blocks and others have no OpenAI counterpart.
        }
      }
    }
    if (text.length() > 0 || calls.isEmpty()) {
      out.put("content", text.toString());
    } else {
      out.putNull("content");
    }
    if (!calls.isEmpty()) {
      out.set("tool_calls", calls);
    }
    choice.put("finish_reason", finishReason(message.path("stop_reason").asText("end_turn")));
    body.set("usage", Json.usage(usage(message.path("usage"), 0)));
    return body;
  }
}
