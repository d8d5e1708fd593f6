package dev.signalbox.core.trace;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's reader on the embedded SQLite file. */
class TraceExplorerTest extends TraceExplorerContract {
  @TempDir Path dir;

  private Path file(String name) {
    return dir.resolve(name + ".db");
  }

  @Override
  TraceStore openStore(String name) {
    return SqliteTraceStore.open(file(name));
  }

  @Override
  TraceExplorer openExplorer(String name) {
    return TraceExplorer.open(file(name));
  }

  @Override
  void dropTable(String name, String table) throws Exception {
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file(name));
        Statement s = raw.createStatement()) {
      s.execute("DROP TABLE " + table);
    }
  }
}
