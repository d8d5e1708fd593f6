package dev.signalbox.core.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.gateway.ChatStreamTranslator;
import dev.signalbox.core.gateway.ChunkWriter;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.NamedEvent;
import java.io.IOException;

/**
 * Turns the gateway's chat completions stream (one SSE event per write) into a Messages stream:
 * {@code message_start} and a {@code ping}, then per content block a {@code content_block_start},
 * its {@code text_delta} or {@code input_json_delta} deltas and a {@code content_block_stop}; at
 * the end a {@code message_delta} with the stop reason and usage and a {@code message_stop}. An
 * error event becomes an {@code error} event. An Anthropic upstream's own events (a request passed
 * through) are sent as they came; the stream keeps count of their blocks, so that chunks after them
 * (a continuation elsewhere) open the next block, and adds only the {@code message_stop}.
 */
public final class MessagesStream extends ChatStreamTranslator {
  private final ChunkWriter client;
  private boolean started;
  private int blocks;

  /** The open block: "text", "tool_use" or "" for none. */
  private String open = "";

  /** The chat stream's index of the tool call in the open tool_use block. */
  private int openToolIndex = -1;

  private String stopReason = "end_turn";
  private boolean endedNatively;
  private JsonNode usage = Json.object();

  public MessagesStream(ChunkWriter client) {
    this.client = client;
  }

  @Override
  protected void done() throws IOException {
    if (endedNatively) {
      send("message_stop", Json.object().put("type", "message_stop"));
    } else {
      finish();
    }
  }

  @Override
  protected void nativeEvents(byte[] bytes, String text) throws IOException {
    client.write(bytes);
    for (String line : text.split("\n")) {
      switch (line) {
        case "event: message_start" -> started = true;
        case "event: content_block_start" -> open = "native";
        case "event: content_block_stop" -> {
          open = "";
          blocks++;
        }
        case "event: message_delta" -> endedNatively = true;
        default -> {}
      }
    }
  }

  @Override
  protected void chunk(JsonNode chunk) throws IOException {
    if (endedNatively) {
      return; // the usage chunk: message_delta carried it
    }
    if (chunk.has("error")) {
      ObjectNode error = Json.object().put("type", "error");
      error
          .putObject("error")
          .put("type", "api_error")
          .put("message", chunk.path("error").path("message").asText("the stream broke"));
      send("error", error);
      return;
    }
    start(chunk);
    if (chunk.hasNonNull("usage")) {
      usage = chunk.get("usage");
    }
    JsonNode choice = chunk.path("choices").path(0);
    JsonNode delta = choice.path("delta");
    String text = delta.path("content").asText("");
    if (!text.isEmpty()) {
      if (!open.equals("text")) {
        ObjectNode block = Json.object().put("type", "text").put("text", "");
        openBlock("text", block);
      }
      ObjectNode textDelta = Json.object().put("type", "text_delta").put("text", text);
      send("content_block_delta", blockEvent("content_block_delta").set("delta", textDelta));
    }
    for (JsonNode call : delta.path("tool_calls")) {
      int index = call.path("index").asInt(0);
      if (!open.equals("tool_use") || index != openToolIndex) {
        ObjectNode block =
            Json.object()
                .put("type", "tool_use")
                .put("id", call.path("id").asText(""))
                .put("name", call.path("function").path("name").asText(""));
        block.putObject("input");
        openBlock("tool_use", block);
        openToolIndex = index;
      }
      String arguments = call.path("function").path("arguments").asText("");
      if (!arguments.isEmpty()) {
        ObjectNode json =
            Json.object().put("type", "input_json_delta").put("partial_json", arguments);
        send("content_block_delta", blockEvent("content_block_delta").set("delta", json));
      }
    }
    if (choice.path("finish_reason").isTextual()) {
      stopReason = MessagesReply.stopReason(choice.get("finish_reason").asText());
    }
  }

  private void start(JsonNode chunk) throws IOException {
    if (started) {
      return;
    }
    started = true;
    ObjectNode message = Json.object();
    message.put("id", MessagesReply.messageId(chunk.path("id").asText("")));
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", chunk.path("model").asText(""));
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.set("usage", MessagesReply.usage(Json.object()));
    send("message_start", Json.object().put("type", "message_start").set("message", message));
    send("ping", Json.object().put("type", "ping"));
  }

  private void openBlock(String type, ObjectNode block) throws IOException {
    closeBlock();
    open = type;
    send("content_block_start", blockEvent("content_block_start").set("content_block", block));
  }

  private void closeBlock() throws IOException {
    if (!open.isEmpty()) {
      send("content_block_stop", blockEvent("content_block_stop"));
      open = "";
      openToolIndex = -1;
      blocks++;
    }
  }

  private ObjectNode blockEvent(String type) {
    return Json.object().put("type", type).put("index", blocks);
  }

  private void finish() throws IOException {
    start(Json.object());
    closeBlock();
    ObjectNode delta = Json.object().put("stop_reason", stopReason);
    delta.putNull("stop_sequence");
    ObjectNode messageDelta = Json.object().put("type", "message_delta");
    messageDelta.set("delta", delta);
    messageDelta.set("usage", MessagesReply.usage(usage));
    send("message_delta", messageDelta);
    send("message_stop", Json.object().put("type", "message_stop"));
  }

  private void send(String name, ObjectNode json) throws IOException {
    client.write(NamedEvent.encode(name, json));
  }
}
