package dev.signalbox.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
  @TempDir Path dir;

  @Test
  void aNewTraceStoreIsReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("traces.db");
    try (SqliteTraceStore store = SqliteTraceStore.open(file)) {
      store.storeConfig("h", "text");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }
}
