package dev.signalbox.core.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.TimeSource;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ManualClock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a response store must do wherever it keeps them: {@link SqliteResponseStoreTest} runs it on
 * the SQLite file, {@link PostgresResponseStoreIT} on a real PostgreSQL database.
 */
abstract class ResponseStoreContract {
  final ManualClock clock = new ManualClock();

  /** An empty store of this kind on {@code time}. */
  abstract SqlResponseStore open(TimeSource time, Duration retention, int maxStored)
      throws Exception;

  StoredResponse response(String id) {
    return new StoredResponse(
        id,
        clock.now(),
        "acme",
        Json.object("{\"id\":\"" + id + "\",\"output\":[{\"type\":\"message\"}]}"),
        List.of(Json.object("{\"role\":\"user\",\"content\":\"hi\"}")));
  }

  @Test
  void aStoredResponseIsReadBackWithItsConversationUntilItIsDeleted() throws Exception {
    try (SqlResponseStore store = open(clock, Duration.ofHours(1), 10)) {
      store.put(response("resp_1"));
      StoredResponse read = store.find("resp_1").orElseThrow();
      assertThat(read.owner()).isEqualTo("acme");
      assertThat(read.created()).isEqualTo(clock.now().truncatedTo(ChronoUnit.MILLIS));
      assertThat(read.conversation()).hasSize(2);
      assertThat(store.delete("resp_1")).isTrue();
      assertThat(store.find("resp_1")).isEmpty();
      assertThat(store.delete("resp_1")).isFalse();
    }
  }

  @Test
  void aResponseStoredAgainReplacesTheFirst() throws Exception {
    try (SqlResponseStore store = open(clock, Duration.ofHours(1), 10)) {
      store.put(response("resp_1"));
      StoredResponse again =
          new StoredResponse(
              "resp_1",
              clock.now(),
              "globex",
              Json.object("{\"id\":\"resp_1\",\"output\":[]}"),
              List.of());
      store.put(again);
      StoredResponse read = store.find("resp_1").orElseThrow();
      assertThat(read.owner()).isEqualTo("globex");
      assertThat(read.conversation()).isEmpty();
    }
  }

  @Test
  void responsesPastTheRetentionOrBeyondTheCapAreGone() throws Exception {
    try (SqlResponseStore store = open(clock, Duration.ofHours(1), 3)) {
      store.put(response("resp_old"));
      clock.advance(Duration.ofMinutes(61));
      assertThat(store.find("resp_old")).isEmpty();
      for (int i = 0; i < 4; i++) {
        clock.advance(Duration.ofSeconds(1));
        store.put(response("resp_" + i));
      }
      assertThat(store.find("resp_0")).isEmpty();
      assertThat(store.find("resp_1")).isPresent();
      assertThat(store.find("resp_3")).isPresent();
    }
  }
}
