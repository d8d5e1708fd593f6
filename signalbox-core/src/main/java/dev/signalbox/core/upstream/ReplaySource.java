package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.Role;
import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.core.wire.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Recorded answers by conversation and model, read once from a routing-outcomes JSONL file (its
 * {@code response}, {@code output_tokens} and {@code latency_ms}) or from a trace store that kept
 * prompts and answers (the served model's answer, completion tokens and attempt duration).
 */
public final class ReplaySource {
  /**
   * One recorded answer; any part may be missing.
   *
   * @param text the answer's text, or "" when only its length was recorded
   */
  public record Recorded(String text, OptionalInt outputTokens, OptionalDouble latencyMillis) {}

  private static final byte[] SQLITE_MAGIC =
      "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  private final Map<String, Map<String, Recorded>> answers;

  private ReplaySource(Map<String, Map<String, Recorded>> answers) {
    this.answers = answers;
  }

  /** Reads an outcomes file, or a trace store (told apart by SQLite's file header). */
  public static ReplaySource load(Path file) {
    try {
      return isSqlite(file) ? fromTraceStore(file) : fromOutcomes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read replay source " + file + ": " + e.getMessage(), e);
    }
  }

  /** What {@code model} answered to this conversation, when recorded. */
  public Optional<Recorded> answer(List<ChatMessage> messages, String model) {
    return Optional.ofNullable(
        answers.getOrDefault(conversationKey(messages), Map.of()).get(model));
  }

  public int conversations() {
    return answers.size();
  }

  /** Conversations are matched on every message's role and text. */
  public static String conversationKey(List<ChatMessage> messages) {
    StringBuilder key = new StringBuilder();
    for (ChatMessage m : messages) {
      key.append(m.role().name()).append('\u0001').append(m.text()).append('\u0002');
    }
    return key.toString();
  }

  private static boolean isSqlite(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(SQLITE_MAGIC.length), SQLITE_MAGIC);
    }
  }

  private static ReplaySource fromOutcomes(Path file) throws IOException {
    Map<String, Map<String, Recorded>> answers = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode row;
        try {
          row = Json.MAPPER.readTree(line);
        } catch (IOException e) {
          throw new IllegalArgumentException(file + ":" + number + ": not JSON: " + e.getMessage());
        }
        Map<String, Recorded> byModel =
            answers.computeIfAbsent(
                conversationKey(messages(row, file, number)), k -> new HashMap<>());
        row.path("outcomes")
            .properties()
            .forEach(
                e ->
                    byModel.put(
                        e.getKey(),
                        new Recorded(
                            e.getValue().path("response").asText(""),
                            e.getValue().path("output_tokens").isNumber()
                                ? OptionalInt.of(e.getValue().path("output_tokens").asInt())
                                : OptionalInt.empty(),
                            e.getValue().path("latency_ms").isNumber()
                                ? OptionalDouble.of(e.getValue().path("latency_ms").asDouble())
                                : OptionalDouble.empty())));
      }
    }
    return new ReplaySource(answers);
  }

  private static List<ChatMessage> messages(JsonNode row, Path file, int number) {
    if (row.path("prompt").isTextual()) {
      return List.of(ChatMessage.text(Role.USER, row.path("prompt").asText()));
    }
    if (!row.path("messages").isArray()) {
      throw new IllegalArgumentException(
          file + ":" + number + ": a line needs \"prompt\" or \"messages\"");
    }
    return TraceJson.messages(row.path("messages").toString());
  }

  private static ReplaySource fromTraceStore(Path file) {
    Map<String, Map<String, Recorded>> answers = new HashMap<>();
    try (TraceStore store = SqliteTraceStore.open(file)) {
      store.forEach(
          json -> {
            DecisionTrace t;
            try {
              t = TraceJson.parse(json);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            Optional<AttemptTrace> served =
                t.attempts().stream().filter(a -> a.result().equals("ok")).findFirst();
            if (t.prompt().isEmpty() || served.isEmpty()) {
              return;
            }
            answers
                .computeIfAbsent(conversationKey(TraceJson.prompt(t)), k -> new HashMap<>())
                .put(
                    served.get().model(),
                    new Recorded(
                        t.answer(),
                        OptionalInt.of((int) t.usage().completionTokens()),
                        OptionalDouble.of(served.get().durationMillis())));
          });
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "cannot read trace store " + file + ": " + e.getMessage(), e);
    }
    return new ReplaySource(answers);
  }
}
