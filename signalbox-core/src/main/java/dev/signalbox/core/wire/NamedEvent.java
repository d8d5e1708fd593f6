package dev.signalbox.core.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/** A server-sent event with a name, as the Messages and Responses streams send them. */
public final class NamedEvent {
  private NamedEvent() {}

  /** {@code event: <name>}, {@code data: <json>} and the blank line that ends the event. */
  public static byte[] encode(String name, JsonNode data) {
    byte[] body = Json.bytes(data);
    byte[] head = ("event: " + name + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
    byte[] event = new byte[head.length + body.length + 2];
    System.arraycopy(head, 0, event, 0, head.length);
    System.arraycopy(body, 0, event, head.length, body.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }
}
