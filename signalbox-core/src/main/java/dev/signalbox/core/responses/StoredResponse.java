package dev.signalbox.core.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A response kept for its client: the response as sent, and the conversation it answered (every
 * input item, those of the responses it continued first).
 *
 * @param owner the tenant of the key that created it; only that tenant reads it
 */
public record StoredResponse(
    String id, Instant created, String owner, ObjectNode response, List<JsonNode> input) {
  public StoredResponse {
    input = List.copyOf(input);
  }

  /** What a response that continues this one follows: its input, then its output. */
  public List<JsonNode> conversation() {
    List<JsonNode> items = new ArrayList<>(input);
    response.path("output").forEach(items::add);
    return items;
  }
}
