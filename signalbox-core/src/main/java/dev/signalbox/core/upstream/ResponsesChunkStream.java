package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.Usage;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An OpenAI Responses stream passed through: every named event reaches the client as sent, on a
 * chunk that says what it means to the gateway (text, function calls, the finish reason). Events
 * before the first delta ride on it, so that a stream failing before its first token can still fall
 * back. The stream is done when the upstream closes it after {@code response.completed} (or {@code
 * response.incomplete}), whose usage it reports; {@code response.failed} and {@code error} break
 * it.
 */
final class ResponsesChunkStream extends SseChunkStream {
  private final StringBuilder pending = new StringBuilder();
  private final long created;
  private String id = "resp";
  private String model = "";
  private int toolIndex = -1;
  private Chunk.@Nullable Done done;

  ResponsesChunkStream(GuardedBody body, UpstreamCall call, long created) {
    super(body, call);
    this.created = created;
  }

  @Override
  Chunk onEvent(SseReader.Event event) {
    if (event.data().equals("[DONE]")) {
      return null;
    }
    JsonNode data;
    try {
      data = Json.MAPPER.readTree(event.data());
    } catch (IOException e) {
      return malformed("stream event is not JSON", event.data());
    }
    if (data == null) {
      return null;
    }
    String type = data.path("type").asText(event.event());
    ObjectNode chat = Json.chunk(id, created, model);
    switch (type) {
      case "response.created", "response.in_progress" -> {
        id = data.path("response").path("id").asText(id);
        model = data.path("response").path("model").asText(model);
      }
      case "response.output_text.delta" ->
          Json.choiceDelta(chat, null).put("content", data.path("delta").asText(""));
      case "response.output_item.added" -> {
        JsonNode item = data.path("item");
        String itemType = item.path("type").asText();
        if (itemType.equals("function_call") || itemType.equals("custom_tool_call")) {
          toolIndex++;
          ObjectNode tool = Json.choiceDelta(chat, null).putArray("tool_calls").addObject();
          tool.put("index", toolIndex);
          tool.put("id", item.path("call_id").asText());
          tool.put("type", "function");
          tool.putObject("function").put("name", item.path("name").asText()).put("arguments", "");
          tokenArrived();
        }
      }
      case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta" -> {
        ObjectNode tool = Json.choiceDelta(chat, null).putArray("tool_calls").addObject();
        tool.put("index", Math.max(0, toolIndex));
        tool.putObject("function").put("arguments", data.path("delta").asText(""));
      }
      case "response.completed", "response.incomplete" -> {
        JsonNode response = data.path("response");
        String finish = ResponsesMapping.finishReason(response, toolIndex >= 0);
        Json.choiceDelta(chat, finish);
        Usage usage = ResponsesMapping.usage(response.path("usage"));
        done = new Chunk.Done(usage, finish);
        tokenArrived();
      }
      case "response.failed", "error" -> {
        JsonNode error = type.equals("error") ? data : data.path("response").path("error");
        return new Chunk.Broken(
            UpstreamFailure.status(
                500,
                Optional.empty(),
                "upstream error mid-stream: " + error.path("message").asText(error.toString())));
      }
      default -> {}
    }
    pending.append("event: ").append(type).append("\ndata: ").append(event.data()).append("\n\n");
    if (beforeFirstToken() && type.endsWith(".delta")) {
      tokenArrived();
    }
    if (beforeFirstToken()) {
      return null;
    }
    String events = pending.toString();
    pending.setLength(0);
    return new Chunk.Delta(chat, events);
  }

  @Override
  Chunk endOfStream() {
    return done != null
        ? done
        : new Chunk.Broken(
            UpstreamFailure.of(
                UpstreamFailure.Kind.RESET, "stream ended before response.completed"));
  }
}
