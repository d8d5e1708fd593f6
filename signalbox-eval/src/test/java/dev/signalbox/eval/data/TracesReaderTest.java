package dev.signalbox.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Usage;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trace store as evaluation data: answered requests with a prompt and feedback, pooled per
 * conversation.
 */
@Timeout(30)
class TracesReaderTest {
  @TempDir Path dir;
  private final List<DecisionTrace> traces = new ArrayList<>();
  private final List<Feedback> feedback = new ArrayList<>();

  private void served(String question, String model, double millis, double cost, Double score) {
    served(question, model, millis, cost, score, "ok");
  }

  private void served(
      String question, String model, double millis, double cost, Double score, String outcome) {
    String id = "req_" + traces.size();
    String prompt =
        question == null ? "" : "[{\"role\":\"user\",\"content\":\"" + question + "\"}]";
    List<AttemptTrace> attempts =
        outcome.equals("ok")
            ? List.of(new AttemptTrace(0, model, model + "-a", "ok", millis / 2, millis, true, ""))
            : List.of(
                new AttemptTrace(0, model, model + "-a", "503", -1, millis, false, "HTTP 503"));
    traces.add(
        new DecisionTrace(
            id,
            Instant.ofEpochSecond(1_700_000_000L + traces.size()),
            "t",
            "chat",
            List.of("chat"),
            "weighted",
            1,
            "hash",
            1,
            Map.of(),
            List.of(),
            List.of(),
            0.5,
            PoolSnapshot.EMPTY,
            attempts,
            new Usage(10, 0, 20, false),
            cost,
            false,
            outcome,
            "",
            List.of(),
            prompt,
            "answer of " + model));
    if (score != null) {
      feedback.add(new Feedback(id, score, "", Instant.EPOCH));
    }
  }

  private Path store() throws Exception {
    Path file = dir.resolve("traces.db");
    try (TraceStore store = SqliteTraceStore.open(file)) {
      store.write(traces);
      for (Feedback f : feedback) {
        store.addFeedback(f, null);
      }
    }
    return file;
  }

  @Test
  void poolsFeedbackPerConversationAndKeepsThoseEveryModelAnswered() throws Exception {
    served("q1", "small", 100, 0.001, 0.2);
    served("q1", "large", 900, 0.010, 1.0);
    served("q1", "small", 300, 0.003, 0.4);
    served("q2", "large", 700, 0.020, 0.7);
    served("q2", "small", 100, 0.001, 0.5);
    served("q3", "small", 100, 0.001, 1.0); // large never answered q3
    served("q4", "large", 100, 0.001, null); // no feedback
    served(null, "large", 100, 0.001, 1.0); // no prompt recorded
    served("q1", "large", 100, 0.0, 0.0, "upstream_failed");
    Path file = store();

    assertThat(DatasetFormat.guess(file)).isEqualTo(DatasetFormat.TRACES);
    Dataset data = new TracesReader().read(file);
    assertThat(data.models()).containsExactly("small", "large");
    assertThat(data.prompts()).extracting(EvalPrompt::id).containsExactly("req_0", "req_3");
    EvalPrompt q1 = data.prompts().get(0);
    assertThat(q1.messages().get(0).text()).isEqualTo("q1");
    assertThat(q1.quality("small")).isCloseTo(0.3, within(1e-12));
    assertThat(q1.cost("small")).isCloseTo(0.002, within(1e-12));
    assertThat(q1.outcome("small").latencyMillis()).hasValue(200.0);
    assertThat(q1.quality("large")).isEqualTo(1.0);
    assertThat(q1.outcome("large").response()).isEqualTo("answer of large");
    assertThat(data.notes())
        .containsExactly(
            "9 traces, 8 answered, 6 with a recorded prompt and feedback; 3 conversations, 2"
                + " answered by every model [small, large]");
  }

  @Test
  void saysWhatIsMissingWhenNothingIsUsable() throws Exception {
    served(null, "large", 100, 0.001, 1.0);
    Path file = store();
    assertThatThrownBy(() -> new TracesReader().read(file))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(
            "no usable conversations (1 traces, 1 answered, 0 with a recorded prompt and feedback")
        .hasMessageContaining("traces.record-prompts");
  }
}
