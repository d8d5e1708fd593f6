package dev.signalbox.core.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A writer that turns the relay's chat completions events (one SSE event per write) into another
 * API's stream: each chunk read as JSON goes to {@link #chunk}, the closing {@code [DONE]} to
 * {@link #done}. Named events are the upstream's own, already in the client's protocol (a request
 * passed through): they go to {@link #nativeEvents} as sent.
 */
public abstract class ChatStreamTranslator implements ChunkWriter {
  private static final String DATA = "data: ";
  private static final String EVENT = "event: ";

  @Override
  public void write(byte[] bytes) throws IOException {
    String event = new String(bytes, StandardCharsets.UTF_8).trim();
    if (event.startsWith(EVENT)) {
      nativeEvents(bytes, event);
      return;
    }
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

  /**
   * One or more of the upstream's own events, in the client's protocol: {@code bytes} to send as
   * they are, {@code text} the same decoded. Ignored unless the protocol passes them through.
   */
  protected void nativeEvents(byte[] bytes, String text) throws IOException {}

  /** The stream ended whole. */
  protected abstract void done() throws IOException;
}
