package dev.signalbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A chat completion request as the client sent it: the fields the gateway reads, typed, and the
 * whole body as sent ({@code raw}), so that OpenAI-compatible upstreams receive unknown fields
 * untouched.
 *
 * @param toolChoice the client's tool_choice, or a missing node when absent
 * @param user the end-user id, or "" when absent
 * @param nativeBody the body in the client's own protocol when it did not come as chat completions
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
    ObjectNode raw,
    Optional<NativeBody> nativeBody) {

  public ChatRequest(
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
    this(
        model,
        messages,
        stream,
        includeUsage,
        maxTokens,
        temperature,
        tools,
        toolChoice,
        responseFormat,
        stop,
        n,
        user,
        metadata,
        raw,
        Optional.empty());
  }

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
    Objects.requireNonNull(nativeBody, "nativeBody");
  }

  /** This request, carrying its body in the client's own protocol. */
  public ChatRequest withNativeBody(NativeBody body) {
    return copy(maxTokens, raw, Optional.of(body));
  }

  /**
   * This request with its answer limited to {@code tokens}: in the chat body ({@code
   * max_completion_tokens} where the client used it, else {@code max_tokens}) and in its own
   * protocol's body ({@code max_tokens}, {@code max_output_tokens}).
   */
  public ChatRequest withMaxTokens(int tokens) {
    ObjectNode chat = raw.deepCopy();
    chat.put(chat.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", tokens);
    Optional<NativeBody> own =
        nativeBody.map(
            body -> {
              ObjectNode copy = body.body().deepCopy();
              switch (body.protocol()) {
                case ANTHROPIC_MESSAGES -> copy.put("max_tokens", tokens);
                case OPENAI_RESPONSES -> copy.put("max_output_tokens", tokens);
                case OPENAI_EMBEDDINGS -> {}
              }
              return new NativeBody(body.protocol(), copy);
            });
    return copy(OptionalInt.of(tokens), chat, own);
  }

  private ChatRequest copy(OptionalInt maxTokens, ObjectNode raw, Optional<NativeBody> own) {
    return new ChatRequest(
        model,
        messages,
        stream,
        includeUsage,
        maxTokens,
        temperature,
        tools,
        toolChoice,
        responseFormat,
        stop,
        n,
        user,
        metadata,
        raw,
        own);
  }

  /** The client's own body when it is in {@code protocol}. */
  public Optional<ObjectNode> nativeBody(NativeBody.Protocol protocol) {
    return nativeBody.filter(b -> b.protocol() == protocol).map(NativeBody::body);
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
