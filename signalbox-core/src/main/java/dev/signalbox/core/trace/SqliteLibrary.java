package dev.signalbox.core.trace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Where the SQLite driver loads its native library from. Left to itself the driver copies the
 * library out of its jar into the temporary folder on every start, compares the copy with the jar's
 * byte by byte and scans the folder for stale copies: 0.13 s of a one-core start, all of it in the
 * interpreter. This keeps one copy per driver version and platform in the user's cache folder
 * (written once, whole or not at all) and points the driver at it. When the folder cannot be used,
 * or the user set {@code org.sqlite.lib.path}, the driver does as it would have.
 */
final class SqliteLibrary {
  private static final Logger LOG = Logger.getLogger(SqliteLibrary.class.getName());
  private static final String LIBRARY_PATH = "org.sqlite.lib.path";

  private static boolean chosen;

  private SqliteLibrary() {}

  /** Points the driver at the cached copy, making it first if needed; once per process. */
  static synchronized void useCachedCopy() {
    if (chosen || System.getProperty(LIBRARY_PATH) != null) {
      return;
    }
    chosen = true;
    cacheRoot()
        .flatMap(SqliteLibrary::cachedCopy)
        .ifPresent(
            library -> {
              System.setProperty(LIBRARY_PATH, library.getParent().toString());
              System.setProperty("org.sqlite.lib.name", library.getFileName().toString());
              // The driver scans this folder for stale copies of its own; the cache's is small.
              System.setProperty("org.sqlite.tmpdir", library.getParent().toString());
            });
  }

  /**
   * The library for this platform and driver version under {@code root}, copied there from the
   * driver's jar if it is not there yet; empty if the driver has none for this platform or the
   * folder cannot be used.
   */
  static Optional<Path> cachedCopy(Path root) {
    String resourceFolder = LibraryLoaderUtil.getNativeLibResourcePath();
    String name = LibraryLoaderUtil.getNativeLibName();
    String folder =
        "sqlite-"
            + SQLiteJDBCLoader.getVersion()
            + resourceFolder.replace('/', '-').toLowerCase(Locale.ROOT);
    Path library = root.resolve(folder).resolve(name);
    try {
      if (!Files.isRegularFile(library)) {
        copyFromJar(resourceFolder + "/" + name, library);
      }
      return Optional.of(library);
    } catch (IOException | RuntimeException e) {
      LOG.log(
          Level.FINE, "SQLite's library not cached under " + root + "; the driver copies it", e);
      return Optional.empty();
    }
  }

  private static void copyFromJar(String resource, Path library) throws IOException {
    Path folder = library.getParent();
    Files.createDirectories(folder, PrivateFiles.ownerOnly("rwx------"));
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("the driver has no " + resource);
      }
      Path partial = Files.createTempFile(folder, library.getFileName().toString(), ".partial");
      try {
        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        // Another process may have put the same file there meanwhile: either copy is whole.
        Files.move(
            partial, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(partial);
      }
    }
  }

  /** The user's cache folder for Signalbox (XDG's), if the environment names one. */
  private static Optional<Path> cacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Optional.of(Path.of(xdg, "signalbox"));
    }
    String home = System.getProperty("user.home");
    if (home == null || home.isBlank() || home.equals("?")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(home, ".cache", "signalbox"));
  }
}
