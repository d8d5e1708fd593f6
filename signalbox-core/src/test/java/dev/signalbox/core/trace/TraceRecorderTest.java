package dev.signalbox.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class TraceRecorderTest {
  @TempDir Path dir;

  static DecisionTrace trace(String id) {
    return new DecisionTrace(
        id,
        Instant.parse("2026-01-01T00:00:00Z").plusMillis(id.hashCode() & 0xffff),
        "t",
        "auto",
        List.of("auto"),
        "priority",
        1,
        "abc",
        7,
        Map.of("prompt_tokens", 12L),
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

  /** A store that blocks on its first write until released, as a full or stuck disk would. */
  static final class StuckStore implements TraceStore {
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<DecisionTrace> written = new ArrayList<>();

    @Override
    public void write(List<DecisionTrace> batch) throws InterruptedException {
      writing.countDown();
      release.await();
      written.addAll(batch);
    }

    @Override
    public void storeConfig(String hash, String text) {}

    @Override
    public Optional<String> find(String id) {
      return Optional.empty();
    }

    @Override
    public List<String> recent(int limit) {
      return List.of();
    }

    @Override
    public void forEach(Consumer<String> json) {}

    @Override
    public Optional<String> config(String hash) {
      return Optional.empty();
    }

    @Override
    public Kept addFeedback(Feedback feedback, String tenant) {
      return Kept.UNKNOWN_REQUEST;
    }

    @Override
    public List<String> addAllFeedback(List<Feedback> feedback) {
      return feedback.stream().map(Feedback::requestId).toList();
    }

    @Override
    public List<Feedback> feedback(String requestId) {
      return List.of();
    }

    @Override
    public void close() {}
  }

  @Test
  void whenTheStoreIsStuckTheNewestTracesAreDroppedAndCountedNeverBlocking() throws Exception {
    StuckStore store = new StuckStore();
    TraceRecorder recorder = new TraceRecorder(store, 10);
    recorder.accept(trace("first"));
    store.writing.await();
    for (int i = 0; i < 15; i++) {
      recorder.accept(trace("t" + i));
    }
    assertThat(recorder.queueDepth()).isEqualTo(10);
    assertThat(recorder.droppedQueueFull()).isEqualTo(5);
    store.release.countDown();
    assertThat(recorder.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(store.written)
        .extracting(DecisionTrace::id)
        .containsExactly("first", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9");
    recorder.close();
  }

  @Test
  void anUnwritableSqliteStoreCountsEveryTraceAsDropped() throws Exception {
    Path file = dir.resolve("traces.db");
    SqliteTraceStore store = SqliteTraceStore.open(file);
    TraceRecorder recorder = new TraceRecorder(store, 100);
    store.close(); // the store can no longer take writes, as when its disk goes away
    for (int i = 0; i < 7; i++) {
      recorder.accept(trace("x" + i));
    }
    assertThat(recorder.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(recorder.droppedStoreError()).isEqualTo(7);
    assertThat(recorder.written()).isZero();
    recorder.close();
  }

  @Test
  void anSqliteStoreIsCreatedOnFirstUseAndKeepsCanonicalJson() throws Exception {
    Path file = dir.resolve("nested/dir/traces.db");
    try (TraceRecorder recorder = new TraceRecorder(SqliteTraceStore.open(file), 100)) {
      recorder.storeConfig("abc", "routes: []");
      recorder.accept(trace("one"));
      recorder.accept(trace("two"));
      assertThat(recorder.flush(Duration.ofSeconds(10))).isTrue();
      TraceStore store = recorder.store();
      assertThat(store.find("one"))
          .get()
          .asString()
          .startsWith("{\"schema_version\":1,\"id\":\"one\",\"time\":")
          .contains("\"signals\":{\"prompt_tokens\":12}", "\"outcome\":\"ok\"");
      assertThat(store.config("abc")).contains("routes: []");
      List<String> all = new ArrayList<>();
      store.forEach(all::add);
      assertThat(all).hasSize(2);
    }
    assertThat(Files.exists(file)).isTrue();
  }

  @Test
  void theDecisionLineHoldsOnlyWhatTheDecisionReadAndChose() {
    String line = TraceJson.decision(trace("d"));
    assertThat(line)
        .isEqualTo(
            "{\"id\":\"d\",\"requested_model\":\"auto\",\"routes\":[\"auto\"],\"policy\":\"priority\","
                + "\"policy_version\":1,\"config_hash\":\"abc\",\"seed\":7,\"signals\":{\"prompt_tokens\":12},\"candidates\":[],"
                + "\"plan\":[],\"propensity\":1.0,\"pool\":{}}");
  }
}
