package dev.signalbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A chat completion request as the client sent it: the fields the gateway reads, typed, and the
 * whole body as sent ({@code raw}), so that OpenAI-compatible upstreams receive unknown fields
 * untouched.
 *
 * @param toolChoice the client's tool_choice, or a missing node when absent
 * @param user the end-user id, or "" when absent
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    boolean stream,
    boolean includeUsage,
    OptionalInt maxTokens,
    OptionalDouble temperature,
    List<ToolDefinition> tools,
    JsonNode toolChoice,
    ResponseFormat responseFormat,
    List<String> stop,
    int n,
    String user,
    Map<String, String> metadata,
    ObjectNode raw) {

  public ChatRequest {
    Objects.requireNonNull(model, "model");
    messages = List.copyOf(messages);
    Objects.requireNonNull(maxTokens, "maxTokens");
    Objects.requireNonNull(temperature, "temperature");
    tools = List.copyOf(tools);
    Objects.requireNonNull(toolChoice, "toolChoice");
    Objects.requireNonNull(responseFormat, "responseFormat");
    stop = List.copyOf(stop);
    Objects.requireNonNull(user, "user");
    metadata = Map.copyOf(metadata);
    Objects.requireNonNull(raw, "raw");
  }

  /** The text of the last user message, or "" when there is none. */
  public String lastUserText() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role() == Role.USER) {
        return messages.get(i).text();
      }
    }
    return "";
  }

  public boolean hasImages() {
    return messages.stream().anyMatch(ChatMessage::hasImage);
  }

  /** True when the request carries tool definitions or earlier tool calls. */
  public boolean usesTools() {
    return !tools.isEmpty()
        || messages.stream().anyMatch(m -> !m.toolCalls().isEmpty() || m.role() == Role.TOOL);
  }
}
