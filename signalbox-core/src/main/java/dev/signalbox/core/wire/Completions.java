package dev.signalbox.core.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.Usage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The OpenAI answers the gateway writes itself, as records Jackson writes: a whole completion (a
 * simulated model's), the usage object, and the error body.
 */
public final class Completions {
  private Completions() {}

  /** A {@code chat.completion} with one choice. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonPropertyOrder({"id", "object", "created", "model", "choices", "usage"})
  public record Completion(
      String id, String object, long created, String model, List<Choice> choices, UsageBody usage) {
    public static Completion of(
        String id, long created, String model, Message message, String finishReason, Usage usage) {
      return new Completion(
          id,
          "chat.completion",
          created,
          model,
          List.of(new Choice(0, message, finishReason)),
          UsageBody.of(usage));
    }

    public ObjectNode json() {
      return Json.MAPPER.valueToTree(this);
    }
  }

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonPropertyOrder({"index", "message", "finish_reason"})
  public record Choice(int index, Message message, String finishReason) {}

  /** An assistant's message: its text, or the tools it calls. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"role", "content", "tool_calls"})
  public record Message(
      String role,
      @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable String content,
      @Nullable List<ToolCallBody> toolCalls) {
    public static Message text(String content) {
      return new Message("assistant", content, null);
    }

    public static Message calling(List<ToolCallBody> calls) {
      return new Message("assistant", null, calls);
    }
  }

  /** One tool call; {@code index} only in a stream's delta. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"index", "id", "type", "function"})
  public record ToolCallBody(
      @Nullable Integer index, String id, String type, FunctionCall function) {
    public static ToolCallBody function(String id, String name, String arguments) {
      return new ToolCallBody(null, id, "function", new FunctionCall(name, arguments));
    }

    public ToolCallBody at(int newIndex) {
      return new ToolCallBody(newIndex, id, type, function);
    }
  }

  public record FunctionCall(String name, String arguments) {}

  /** OpenAI's usage object; the cache's share only when there is one. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonPropertyOrder({
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "prompt_tokens_details",
    "estimated"
  })
  public record UsageBody(
      long promptTokens,
      long completionTokens,
      long totalTokens,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable CachedTokens promptTokensDetails,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean estimated) {
    /**
     * The usage; {@code "estimated": true} when the gateway counted it (the upstream gave none).
     */
    public static UsageBody of(Usage usage) {
      return new UsageBody(
          usage.promptTokens(),
          usage.completionTokens(),
          usage.totalTokens(),
          usage.cachedPromptTokens() > 0 ? new CachedTokens(usage.cachedPromptTokens()) : null,
          usage.estimated());
    }
  }

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record CachedTokens(long cachedTokens) {}

  /** OpenAI's error body: {@code {"error": {"message", "type", "param", "code"}}}. */
  public record ErrorBody(ErrorDetail error) {
    public static ErrorBody of(SignalboxException e) {
      return of(e.kind(), e.getMessage(), e.param().orElse(null), e.code().orElse(null));
    }

    public static ErrorBody of(
        ErrorKind kind, String message, @Nullable String param, @Nullable String code) {
      return new ErrorBody(new ErrorDetail(message, kind.openAiType(), param, code));
    }

    public ObjectNode json() {
      return Json.MAPPER.valueToTree(this);
    }
  }

  @JsonPropertyOrder({"message", "type", "param", "code"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ErrorDetail(
      String message, String type, @Nullable String param, @Nullable String code) {}
}
