package dev.signalbox.core.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.gateway.ChatStreamTranslator;
import dev.signalbox.core.gateway.ChunkWriter;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.NamedEvent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns the gateway's chat completions stream (one SSE event per write) into a Responses stream of
 * named events: {@code response.created} and {@code response.in_progress}; per output item its
 * {@code response.output_item.added}, its deltas ({@code response.output_text.delta}, {@code
 * response.function_call_arguments.delta}) and their {@code .done} events, and {@code
 * response.output_item.done}; at the end {@code response.completed} (or {@code
 * response.incomplete}) with the whole response, or {@code response.failed} when the stream broke.
 * Every event carries its {@code sequence_number}. The finished response, whatever its status, goes
 * to {@code finished} (the store, when the client asked to store it). An upstream's own events (a
 * request passed through) are sent as they came, but for the response they carry, which takes the
 * gateway's id ({@link ResponseContext#adopt}).
 */
public final class ResponsesStream extends ChatStreamTranslator {
  /** The events that carry the whole response, which takes the gateway's id. */
  private static final Set<String> RESPONSE_EVENTS =
      Set.of(
          "response.created",
          "response.in_progress",
          "response.completed",
          "response.incomplete",
          "response.failed");

  private final ChunkWriter client;
  private final ResponseContext context;
  private final Consumer<ObjectNode> finished;
  private final ArrayNode output = Json.MAPPER.createArrayNode();
  private volatile boolean cancelRequested;
  private boolean started;

  /** The response as the stream ended it; null while it runs. */
  private @Nullable ObjectNode ending;

  private int sequence;
  private String model = "";
  private String finishReason = "stop";
  private JsonNode usage = Json.object();

  /** The open item: "message", "call" or "" for none. */
  private String open = "";

  private String openId = "";
  private int openToolIndex = -1;
  private String openCallId = "";
  private String openName = "";
  private final StringBuilder openText = new StringBuilder();

  public ResponsesStream(
      ChunkWriter client, ResponseContext context, Consumer<ObjectNode> finished) {
    this.client = client;
    this.context = context;
    this.finished = finished;
  }

  /**
   * Asks the stream to stop: its next event ends it as {@code cancelled}, and the write fails so
   * that the relay stops reading the upstream.
   */
  public void cancel() {
    cancelRequested = true;
  }

  /**
   * The response as it stands: in progress while the stream runs, then as it ended (completed,
   * incomplete, failed or cancelled), which a reader can ask for after the last event and before
   * the stored copy replaces this stream.
   */
  public synchronized ObjectNode snapshot() {
    if (ending != null) {
      return ending.deepCopy();
    }
    ObjectNode response = context.response("in_progress", model);
    response.set("output", output.deepCopy());
    return response;
  }

  @Override
  public synchronized void write(byte[] bytes) throws IOException {
    if (ending != null) {
      return;
    }
    if (cancelRequested) {
      end("cancelled", "response.failed", null);
      throw new InterruptedIOException("the response was cancelled");
    }
    super.write(bytes);
  }

  @Override
  protected void nativeEvents(byte[] bytes, String text) throws IOException {
    started = true;
    for (String block : text.split("\n\n")) {
      String name = "";
      String data = "";
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (!RESPONSE_EVENTS.contains(name)) {
        client.write((block + "\n\n").getBytes(StandardCharsets.UTF_8));
        continue;
      }
      ObjectNode event = (ObjectNode) Json.MAPPER.readTree(data);
      ObjectNode response = context.adopt((ObjectNode) event.path("response"));
      event.set("response", response);
      model = response.path("model").asText(model);
      sequence = event.path("sequence_number").asInt(sequence) + 1;
      if (!name.equals("response.created") && !name.equals("response.in_progress")) {
        ending = response;
        finished.accept(response);
      }
      client.write(NamedEvent.encode(name, event));
    }
  }

  @Override
  protected void done() throws IOException {
    closeItem();
    end(ResponseContext.status(finishReason), eventFor(finishReason), null);
  }

  @Override
  protected void chunk(JsonNode chunk) throws IOException {
    start(chunk);
    if (chunk.has("error")) {
      closeItem();
      end(
          "failed",
          "response.failed",
          chunk.path("error").path("message").asText("the stream broke"));
      return;
    }
    if (chunk.hasNonNull("usage")) {
      usage = chunk.get("usage");
    }
    JsonNode choice = chunk.path("choices").path(0);
    JsonNode delta = choice.path("delta");
    String text = delta.path("content").asText("");
    if (!text.isEmpty()) {
      text(text);
    }
    for (JsonNode call : delta.path("tool_calls")) {
      toolCall(call);
    }
    if (choice.path("finish_reason").isTextual()) {
      finishReason = choice.get("finish_reason").asText();
    }
  }

  private static String eventFor(String finishReason) {
    return ResponseContext.status(finishReason).equals("completed")
        ? "response.completed"
        : "response.incomplete";
  }

  private void start(JsonNode chunk) throws IOException {
    if (started) {
      return;
    }
    started = true;
    model = chunk.path("model").asText("");
    ObjectNode response = context.response("in_progress", model);
    send("response.created", event("response.created").set("response", response));
    send("response.in_progress", event("response.in_progress").set("response", response));
  }

  private void text(String text) throws IOException {
    if (!open.equals("message")) {
      closeItem();
      open = "message";
      openId = context.itemId("msg", output.size());
      send(
          "response.output_item.added",
          itemEvent("response.output_item.added")
              .set("item", ResponseContext.message(openId, "", "in_progress")));
      send(
          "response.content_part.added",
          partEvent("response.content_part.added").set("part", ResponseContext.outputText("")));
    }
    openText.append(text);
    ObjectNode delta = partEvent("response.output_text.delta").put("delta", text);
    delta.putArray("logprobs");
    send("response.output_text.delta", delta);
  }

  private void toolCall(JsonNode call) throws IOException {
    int index = call.path("index").asInt(0);
    if (!open.equals("call") || index != openToolIndex) {
      closeItem();
      open = "call";
      openToolIndex = index;
      openId = context.itemId("fc", output.size());
      openCallId = call.path("id").asText("");
      openName = call.path("function").path("name").asText("");
      send(
          "response.output_item.added",
          itemEvent("response.output_item.added")
              .set("item", context.toolCall(openId, openCallId, openName, "", "in_progress")));
    }
    String arguments = call.path("function").path("arguments").asText("");
    openText.append(arguments);
    if (!arguments.isEmpty() && !context.customTools().contains(openName)) {
      send(
          "response.function_call_arguments.delta",
          itemEvent("response.function_call_arguments.delta")
              .put("item_id", openId)
              .put("delta", arguments));
    }
  }

  private void closeItem() throws IOException {
    String text = openText.toString();
    ObjectNode item;
    switch (open) {
      case "message" -> {
        ObjectNode done = partEvent("response.output_text.done").put("text", text);
        done.putArray("logprobs");
        send("response.output_text.done", done);
        send(
            "response.content_part.done",
            partEvent("response.content_part.done").set("part", ResponseContext.outputText(text)));
        item = ResponseContext.message(openId, text, "completed");
      }
      case "call" -> {
        item = context.toolCall(openId, openCallId, openName, text, "completed");
        if (context.customTools().contains(openName)) {
          String input = item.path("input").asText();
          send(
              "response.custom_tool_call_input.delta",
              itemEvent("response.custom_tool_call_input.delta")
                  .put("item_id", item.path("id").asText())
                  .put("delta", input));
          send(
              "response.custom_tool_call_input.done",
              itemEvent("response.custom_tool_call_input.done")
                  .put("item_id", item.path("id").asText())
                  .put("input", input));
        } else {
          send(
              "response.function_call_arguments.done",
              itemEvent("response.function_call_arguments.done")
                  .put("item_id", openId)
                  .put("name", openName)
                  .put("arguments", text));
        }
      }
      default -> {
        return;
      }
    }
    send("response.output_item.done", itemEvent("response.output_item.done").set("item", item));
    output.add(item);
    open = "";
    openToolIndex = -1;
    openText.setLength(0);
  }

  private void end(String status, String eventName, @Nullable String error) throws IOException {
    ObjectNode response = context.response(status, model);
    response.set("output", output);
    if (status.equals("failed") || status.equals("cancelled")) {
      response.put("status", status);
      if (error != null) {
        response.putObject("error").put("code", "server_error").put("message", error);
      }
    } else {
      ResponseContext.finish(response, finishReason, usage);
    }
    ending = response;
    finished.accept(response);
    send(eventName, event(eventName).set("response", response));
  }

  private ObjectNode event(String type) {
    return Json.object().put("type", type);
  }

  private ObjectNode itemEvent(String type) {
    return event(type).put("output_index", output.size());
  }

  private ObjectNode partEvent(String type) {
    return itemEvent(type).put("item_id", openId).put("content_index", 0);
  }

  private void send(String name, ObjectNode json) throws IOException {
    json.put("sequence_number", sequence++);
    client.write(NamedEvent.encode(name, json));
  }
}
