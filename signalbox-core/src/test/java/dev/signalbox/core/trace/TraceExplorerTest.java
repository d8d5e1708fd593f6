package dev.signalbox.core.trace;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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

  @Override
  void execute(String name, String statement) throws Exception {
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file(name));
        Statement s = raw.createStatement()) {
      s.execute(statement);
    }
  }

  @Override
  String plan(String name, TraceExplorer.Search search) throws Exception {
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file(name));
        PreparedStatement explain = raw.prepareStatement("EXPLAIN QUERY PLAN " + search.sql())) {
      for (int i = 0; i < search.arguments().size(); i++) {
        explain.setObject(i + 1, search.arguments().get(i));
      }
      StringBuilder plan = new StringBuilder();
      try (ResultSet steps = explain.executeQuery()) {
        while (steps.next()) {
          plan.append(steps.getString("detail")).append('\n');
        }
      }
      return plan.toString();
    }
  }

  @Override
  List<String> summaryIndexes(String name) throws Exception {
    try (Connection raw = DriverManager.getConnection("jdbc:sqlite:" + file(name));
        Statement s = raw.createStatement();
        ResultSet indexes =
            s.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name ="
                    + " 'trace_rows'")) {
      List<String> names = new ArrayList<>();
      while (indexes.next()) {
        names.add(indexes.getString(1));
      }
      return names;
    }
  }
}
