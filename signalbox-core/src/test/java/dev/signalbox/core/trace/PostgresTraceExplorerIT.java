package dev.signalbox.core.trace;

import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.testing.PostgresServer;
import dev.signalbox.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard's reader on the database replicas share: a real PostgreSQL server on loopback, a
 * fresh database for each store a test opens.
 */
@ExtendWith(SharedPostgres.class)
class PostgresTraceExplorerIT extends TraceExplorerContract {
  private static PostgresServer postgres;

  private final Map<String, String> urls = new HashMap<>();

  @BeforeAll
  static void share(PostgresServer shared) {
    postgres = shared;
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

  @Override
  void execute(String name, String statement) throws Exception {
    try (Connection raw = DriverManager.getConnection(url(name));
        Statement s = raw.createStatement()) {
      s.execute(statement.replaceAll("\\btrace_", "signalbox_trace_"));
    }
  }

  /** The plan with sequential scans ruled out, since on a few rows they would always win. */
  @Override
  String plan(String name, TraceExplorer.Search search) throws Exception {
    try (Connection raw = DriverManager.getConnection(url(name));
        Statement settings = raw.createStatement();
        PreparedStatement explain = raw.prepareStatement("EXPLAIN " + search.sql())) {
      settings.execute("SET enable_seqscan = off");
      for (int i = 0; i < search.arguments().size(); i++) {
        explain.setObject(i + 1, search.arguments().get(i));
      }
      StringBuilder plan = new StringBuilder();
      try (ResultSet steps = explain.executeQuery()) {
        while (steps.next()) {
          plan.append(steps.getString(1)).append('\n');
        }
      }
      return plan.toString();
    }
  }

  @Override
  List<String> summaryIndexes(String name) throws Exception {
    try (Connection raw = DriverManager.getConnection(url(name));
        Statement s = raw.createStatement();
        ResultSet indexes =
            s.executeQuery(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'signalbox_trace_rows'")) {
      List<String> names = new ArrayList<>();
      while (indexes.next()) {
        names.add(indexes.getString(1).replaceFirst("^signalbox_", ""));
      }
      return names;
    }
  }
}
