package dev.signalbox.eval.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.eval.EvalFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace store written by an earlier version of the gateway (v0: a real {@code serve} process,
 * every built-in policy but the bandit, streamed and not, rejected requests too; see
 * src/test/resources/replay/v0/README.md) replays identically under this version: the stored
 * configs still read, every decision comes out the same, and its canonical line is byte for byte
 * the one stored.
 */
class RecordedStoreReplayTest {
  private static final Path V0 = Path.of("src/test/resources/replay/v0/traces.db");

  @TempDir Path dir;

  @Test
  void aStoreOfTheEarlierVersionReplaysIdentically() throws Exception {
    Path copy = Files.copy(V0, dir.resolve("traces.db"));
    try (TraceStore store = SqliteTraceStore.open(copy)) {
      List<String> replayed = new ArrayList<>();
      DecisionReplay.Result result =
          new DecisionReplay(store, EvalFixtures.policies(), EvalFixtures.services())
              .run(replayed::add);

      assertThat(result.divergences()).isEmpty();
      assertThat(result.traces()).isEqualTo(36);
      assertThat(result.notRouted()).isZero();
      assertThat(result.identical()).isEqualTo(36);
      List<String> recorded = new ArrayList<>();
      List<String> stored = new ArrayList<>();
      store.forEach(stored::add);
      for (String json : stored) {
        if (!json.contains("\"not-routed\"")) {
          recorded.add(TraceJson.decisionLine(json));
        }
      }
      assertThat(replayed).isEqualTo(recorded);
    }
  }

  @Test
  void everyStoredTraceReadsBackAndIsWrittenAgainByteForByte() throws Exception {
    try (TraceStore store = SqliteTraceStore.open(Files.copy(V0, dir.resolve("traces.db")))) {
      List<String> stored = new ArrayList<>();
      store.forEach(stored::add);
      assertThat(stored).hasSize(36);
      for (String json : stored) {
        assertThat(TraceJson.write(TraceJson.parse(json))).isEqualTo(json);
      }
    }
  }
}
