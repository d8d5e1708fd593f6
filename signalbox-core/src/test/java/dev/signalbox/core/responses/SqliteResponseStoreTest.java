package dev.signalbox.core.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.TimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The response store in its own SQLite file. */
class SqliteResponseStoreTest extends ResponseStoreContract {
  @TempDir Path dir;

  @Override
  SqlResponseStore open(TimeSource time, Duration retention, int maxStored) {
    return SqlResponseStore.sqlite(dir.resolve("r.db"), time, retention, maxStored);
  }

  @Test
  void noFileIsCreatedUntilAResponseIsStored() {
    try (SqlResponseStore store = open(clock, Duration.ofHours(1), 3)) {
      assertThat(Files.exists(dir.resolve("r.db"))).isFalse();
      store.put(response("resp_1"));
      assertThat(Files.exists(dir.resolve("r.db"))).isTrue();
    }
  }
}
