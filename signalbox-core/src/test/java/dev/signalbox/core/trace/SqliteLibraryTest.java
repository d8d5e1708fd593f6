package dev.signalbox.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

class SqliteLibraryTest {
  @TempDir Path cache;

  @Test
  void theFirstCallCopiesTheDriversLibraryIntoAPrivateFolderNamedForItsVersion() throws Exception {
    Path library = SqliteLibrary.cachedCopy(cache).orElseThrow();

    assertThat(library.getParent().getFileName().toString())
        .startsWith("sqlite-" + SQLiteJDBCLoader.getVersion() + "-");
    assertThat(Files.readAllBytes(library)).isEqualTo(jarCopy());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(library.getParent())))
        .isEqualTo("rwx------");
    try (var left = Files.list(library.getParent())) {
      assertThat(left).containsExactly(library);
    }
  }

  @Test
  void laterCallsUseTheCopyAsItIs() throws Exception {
    Path library = SqliteLibrary.cachedCopy(cache).orElseThrow();
    FileTime written = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
    Files.setLastModifiedTime(library, written);

    assertThat(SqliteLibrary.cachedCopy(cache)).contains(library);
    assertThat(Files.getLastModifiedTime(library)).isEqualTo(written);
  }

  @Test
  void aFolderThatCannotBeWrittenLeavesTheDriverToItself() throws Exception {
    Path notAFolder = Files.writeString(cache.resolve("file"), "x");

    assertThat(SqliteLibrary.cachedCopy(notAFolder)).isEmpty();
  }

  private static byte[] jarCopy() throws Exception {
    String resource =
        LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      return in.readAllBytes();
    }
  }
}
