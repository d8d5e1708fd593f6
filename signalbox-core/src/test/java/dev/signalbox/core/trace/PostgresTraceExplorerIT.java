package dev.signalbox.core.trace;

import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The dashboard's reader on the database replicas share: a real PostgreSQL server on loopback, a
 * fresh database for each store a test opens.
 */
class PostgresTraceExplorerIT extends TraceExplorerContract {
  private static PostgresServer postgres;

  private final Map<String, String> urls = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    postgres = new PostgresServer();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  /** This test's database for the store called {@code name}, created the first time. */
  private String url(String name) throws Exception {
    if (!urls.containsKey(name)) {
      urls.put(name, postgres.newDatabase());
    }
    return urls.get(name);
  }

  @Override
  TraceStore openStore(String name) throws Exception {
    return new PostgresTraceStore(SharedDatabase.pool(url(name), Optional.empty(), "traces", 2));
  }

  @Override
  TraceExplorer openExplorer(String name) throws Exception {
    return TraceExplorer.shared(SharedDatabase.pool(url(name), Optional.empty(), "dashboard", 2));
  }

  @Override
  void dropTable(String name, String table) throws Exception {
    try (Connection raw = DriverManager.getConnection(url(name));
        Statement s = raw.createStatement()) {
      s.execute("DROP TABLE signalbox_" + table);
    }
  }
}
