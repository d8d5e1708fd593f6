package dev.signalbox.core.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The canonical JSON of traces, written and read through one record ({@link StoredTrace}): fields
 * in a fixed order, maps sorted by key, NaN as null. Two runs that decide the same write the same
 * bytes, which is what replay compares.
 */
public final class TraceJson {
  private static final ObjectMapper MAPPER =
      Json.mapperBuilder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();
  private static final ObjectWriter TRACE = MAPPER.writerFor(StoredTrace.class);
  private static final ObjectWriter DECISION = MAPPER.writerFor(StoredTrace.Decision.class);

  /**
   * Built at the first read: the trace writer only writes, and binding the reader took its first
   * trace 37 ms of a one-core start (async-profiler, 2026-12-06).
   */
  private static final class Reading {
    static final ObjectReader READER = MAPPER.readerFor(StoredTrace.class);
  }

  private TraceJson() {}

  /** The whole trace, one line. */
  public static String write(DecisionTrace t) {
    return text(TRACE, StoredTrace.of(t));
  }

  /**
   * Only what the decision depended on and what it chose: the line replay compares byte for byte.
   */
  public static String decision(DecisionTrace t) {
    return text(DECISION, StoredTrace.of(t).decision());
  }

  /** The decision line of a stored trace. */
  public static String decisionLine(String fullJson) throws IOException {
    return text(DECISION, Reading.READER.<StoredTrace>readValue(fullJson).decision());
  }

  /** Reads a stored trace back; the inverse of {@link #write}. */
  public static DecisionTrace parse(String json) throws IOException {
    return Reading.READER.<StoredTrace>readValue(json).trace();
  }

  /**
   * A pool snapshot, deployments by name, as traces record it and {@code GET /admin/pool} shows it.
   */
  public static JsonNode pool(PoolSnapshot snapshot) {
    return MAPPER.valueToTree(StoredTrace.pool(snapshot));
  }

  /** The recorded conversation of a trace, or empty when the config did not record prompts. */
  public static List<ChatMessage> prompt(DecisionTrace t) {
    return t.prompt().isEmpty() ? List.of() : messages(t.prompt());
  }

  /** Messages from their JSON array, read as the gateway reads a request's. */
  public static List<ChatMessage> messages(String messagesJson) {
    String body = "{\"model\":\"recorded\",\"messages\":" + messagesJson + "}";
    return ChatRequestParser.parse(body.getBytes(StandardCharsets.UTF_8)).messages();
  }

  private static String text(ObjectWriter writer, Object value) {
    try {
      return writer.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
