package dev.signalbox.core.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteResponseStoreTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();

  private StoredResponse response(String id) {
    return new StoredResponse(
        id,
        clock.now(),
        "acme",
        Json.object("{\"id\":\"" + id + "\",\"output\":[{\"type\":\"message\"}]}"),
        List.of(Json.object("{\"role\":\"user\",\"content\":\"hi\"}")));
  }

  @Test
  void aStoredResponseIsReadBackWithItsConversationUntilItIsDeleted() {
    try (SqliteResponseStore store =
        new SqliteResponseStore(dir.resolve("r.db"), clock, Duration.ofHours(1), 10)) {
      store.put(response("resp_1"));
      StoredResponse read = store.find("resp_1").orElseThrow();
      assertThat(read.owner()).isEqualTo("acme");
      assertThat(read.conversation()).hasSize(2);
      assertThat(store.delete("resp_1")).isTrue();
      assertThat(store.find("resp_1")).isEmpty();
      assertThat(store.delete("resp_1")).isFalse();
    }
  }

  @Test
  void responsesPastTheRetentionOrBeyondTheCapAreGone() {
    try (SqliteResponseStore store =
        new SqliteResponseStore(dir.resolve("r.db"), clock, Duration.ofHours(1), 3)) {
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

  @Test
  void noFileIsCreatedUntilAResponseIsStored() {
    try (SqliteResponseStore store =
        new SqliteResponseStore(dir.resolve("r.db"), clock, Duration.ofHours(1), 3)) {
      assertThat(Files.exists(dir.resolve("r.db"))).isFalse();
      store.put(response("resp_1"));
      assertThat(Files.exists(dir.resolve("r.db"))).isTrue();
    }
  }
}
