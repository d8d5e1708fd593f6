package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Usage;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.SqliteTraceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code signalbox feedback --import}: every line checked before anything is written. */
class FeedbackCommandTest {
  @TempDir Path dir;
  private Path store;

  @BeforeEach
  void recordTwoRequests() throws Exception {
    store = dir.resolve("traces.db");
    try (SqliteTraceStore traces = SqliteTraceStore.open(store)) {
      traces.write(List.of(trace("req_a"), trace("req_b")));
    }
  }

  private static DecisionTrace trace(String id) {
    return new DecisionTrace(
        id,
        Instant.parse("2026-11-01T00:00:00Z"),
        "t",
        "auto",
        List.of("auto"),
        "priority",
        1,
        "abc",
        7,
        Map.of(),
        List.of(),
        List.of(),
        1.0,
        PoolSnapshot.EMPTY,
        List.of(),
        new Usage(12, 0, 3, false),
        0.001,
        false,
        "ok",
        "",
        List.of(),
        "",
        "");
  }

  @Test
  void anUnknownIdImportsNothingAndNamesItsLine() throws Exception {
    Path file = dir.resolve("feedback.jsonl");
    Files.writeString(
        file,
        "{\"request_id\": \"req_a\", \"score\": 0.9}\n\n"
            + "{\"request_id\": \"req_zzz\", \"score\": 1}\n"
            + "{\"request_id\": \"req_b\", \"thumbs\": \"down\"}\n");
    CliTest.Run run =
        CliTest.run("feedback", "--import", file.toString(), "--store", store.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("feedback.jsonl:3: no recorded request 'req_zzz'")
        .contains("imported nothing");
    try (SqliteTraceStore traces = SqliteTraceStore.open(store)) {
      assertThat(traces.feedback("req_a")).isEmpty();
      assertThat(traces.feedback("req_b")).isEmpty();
    }
  }

  @Test
  void importingTheSameFileTwiceChangesNothing() throws Exception {
    Path file = dir.resolve("feedback.jsonl");
    Files.writeString(
        file,
        "{\"request_id\": \"req_a\", \"score\": 0.9}\n"
            + "{\"request_id\": \"req_b\", \"thumbs\": \"down\", \"source\": \"judge\"}\n");
    for (int i = 0; i < 2; i++) {
      CliTest.Run run =
          CliTest.run("feedback", "--import", file.toString(), "--store", store.toString());
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(run.out()).contains("imported 2 feedback lines");
    }
    try (SqliteTraceStore traces = SqliteTraceStore.open(store)) {
      assertThat(traces.feedback("req_a"))
          .extracting(Feedback::score, Feedback::source)
          .containsExactly(tuple(0.9, "import"));
      assertThat(traces.feedback("req_b"))
          .extracting(Feedback::score, Feedback::source)
          .containsExactly(tuple(0.0, "judge"));
    }
  }

  @Test
  void aBadLineIsNamedAndNothingIsImported() throws Exception {
    Path file = dir.resolve("feedback.jsonl");
    Files.writeString(
        file,
        "{\"request_id\": \"req_a\", \"score\": 0.9}\n{\"request_id\": \"req_b\", \"score\": 7}\n");
    CliTest.Run run =
        CliTest.run("feedback", "--import", file.toString(), "--store", store.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains("feedback.jsonl:2: score: 'score' must be a number from 0 to 1, got 7.");
    try (SqliteTraceStore traces = SqliteTraceStore.open(store)) {
      assertThat(traces.feedback("req_a")).isEmpty();
    }
  }
}
