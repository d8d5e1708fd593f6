package dev.signalbox.core.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.wire.Json;

/**
 * A whole answer told as a stream, for a client that asked to stream a cascade whose checked stage
 * answered: one chunk with the message (text and tool calls), then the end with its usage.
 */
final class CompletedStream implements ChunkStream {
  private final Chunk.Delta first;
  private final Chunk.Done done;
  private boolean ended;

  CompletedStream(UpstreamReply.Completed reply) {
    ObjectNode body = reply.body();
    ObjectNode chunk =
        Json.chunk(
            body.path("id").asText(""),
            body.path("created").asLong(0),
            body.path("model").asText(""));
    ObjectNode delta = Json.choiceDelta(chunk, reply.finishReason());
    JsonNode message = body.path("choices").path(0).path("message");
    delta.put("role", "assistant");
    if (message.path("content").isTextual()) {
      delta.put("content", message.path("content").asText());
    }
    if (message.path("tool_calls") instanceof ArrayNode calls) {
      ArrayNode indexed = delta.putArray("tool_calls");
      for (int i = 0; i < calls.size(); i++) {
        ObjectNode call = calls.get(i).deepCopy();
        call.put("index", i);
        indexed.add(call);
      }
    }
    this.first = new Chunk.Delta(chunk);
    this.done = new Chunk.Done(reply.usage(), reply.finishReason());
  }

  Chunk first() {
    return first;
  }

  @Override
  public Chunk next() {
    if (ended) {
      throw new IllegalStateException("the stream has ended");
    }
    ended = true;
    return done;
  }

  @Override
  public void cancel() {
    ended = true;
  }
}
