package dev.signalbox.core.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A writer that turns the relay's chat completions events (one SSE event per write) into another
 * API's stream: each chunk read as JSON goes to {@link #chunk}, the closing {@code [DONE]} to
 * {@link #done}; anything else is not an event of the stream.
 */
public abstract class ChatStreamTranslator implements ChunkWriter {
  private static final String DATA = "data: ";

  @Override
  public void write(byte[] bytes) throws IOException {
    String event = new String(bytes, StandardCharsets.UTF_8).trim();
    if (!event.startsWith(DATA)) {
      return;
    }
    String data = event.substring(DATA.length());
    if (data.equals("[DONE]")) {
      done();
    } else {
      chunk(Json.MAPPER.readTree(data));
    }
  }

  /** A chat completions chunk, or an error event ({@code {"error": ...}}). */
  protected abstract void chunk(JsonNode chunk) throws IOException;

  /** The stream ended whole. */
  protected abstract void done() throws IOException;
}
