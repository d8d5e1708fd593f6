package dev.signalbox.core.trace;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard reads instead of the traces' JSON, written in the same transaction as the
 * traces: a narrow summary row per trace with the indexes its searches need ({@code trace_rows}),
 * and hourly sums per route, model, deployment, tenant, team and key ({@code trace_hours}) so that
 * an overview of weeks adds up hundreds of rows, not millions. A store written before these existed
 * is summarised once when opened.
 */
final class TraceSummaries {
  static final long HOUR_MS = 3_600_000;
  static final List<String> DIMENSIONS =
      List.of("all", "route", "model", "deployment", "tenant", "team", "key");

  private static final String ROWS =
      "CREATE TABLE IF NOT EXISTS trace_rows (id TEXT PRIMARY KEY, time_ms INTEGER NOT NULL,"
          + " route TEXT NOT NULL, requested_model TEXT NOT NULL, model TEXT NOT NULL, deployment"
          + " TEXT NOT NULL, outcome TEXT NOT NULL, tenant TEXT NOT NULL, cost_usd REAL NOT NULL,"
          + " latency_ms REAL NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT"
          + " NULL, stream INTEGER NOT NULL, attempts INTEGER NOT NULL, chain TEXT NOT NULL,"
          + " refused_scope TEXT NOT NULL, key_name TEXT NOT NULL DEFAULT '', team TEXT NOT NULL"
          + " DEFAULT '')";

  private static final String HOURS =
      "CREATE TABLE IF NOT EXISTS trace_hours (dimension TEXT NOT NULL, hour INTEGER NOT NULL,"
          + " name TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, cost_usd REAL"
          + " NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, latency_ms"
          + " REAL NOT NULL, PRIMARY KEY (dimension, hour, name)) WITHOUT ROWID";

  // Cost and latency ride in the time and route indexes, so a search by either scans the index
  // alone until it has its page.
  private static final List<String> INDEXES =
      List.of(
          "DROP INDEX IF EXISTS trace_rows_time",
          "DROP INDEX IF EXISTS trace_rows_route",
          "CREATE INDEX IF NOT EXISTS trace_rows_by_time"
              + " ON trace_rows(time_ms, id, cost_usd, latency_ms)",
          "CREATE INDEX IF NOT EXISTS trace_rows_by_route"
              + " ON trace_rows(route, time_ms, id, cost_usd, latency_ms)",
          "CREATE INDEX IF NOT EXISTS trace_rows_model ON trace_rows(model, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_deployment"
              + " ON trace_rows(deployment, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_outcome ON trace_rows(outcome, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_tenant ON trace_rows(tenant, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_key ON trace_rows(key_name, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_team ON trace_rows(team, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_refused"
              + " ON trace_rows(refused_scope, time_ms) WHERE refused_scope != ''");

  private TraceSummaries() {}

  /** Creates the tables and indexes, and summarises whatever traces are not yet. */
  static void create(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(ROWS);
      addColumnIfMissing(s, "key_name");
      addColumnIfMissing(s, "team");
      s.execute(HOURS);
      for (String index : INDEXES) {
        s.execute(index);
      }
    }
    summariseMissingRows(connection);
    summariseHoursIfNone(connection);
  }

  /** Rows summarised before keys were recorded have none. */
  private static void addColumnIfMissing(Statement s, String column) throws SQLException {
    try (ResultSet columns = s.executeQuery("PRAGMA table_info(trace_rows)")) {
      while (columns.next()) {
        if (columns.getString("name").equals(column)) {
          return;
        }
      }
    }
    s.execute("ALTER TABLE trace_rows ADD COLUMN " + column + " TEXT NOT NULL DEFAULT ''");
  }

  /** The column a dimension is summed by. */
  static String column(String dimension) {
    return switch (dimension) {
      case "all" -> "'all'";
      case "key" -> "key_name";
      default -> dimension;
    };
  }

  /** Writes a batch's rows and adds the new ones to their hours; the caller's transaction. */
  static void write(Connection connection, List<TraceRow> rows) throws SQLException {
    int[] inserted = insertRows(connection, rows);
    Map<List<Object>, Sums> hours = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      if (inserted[i] == 0) {
        continue; // the same trace again: counted once
      }
      TraceRow row = rows.get(i);
      long hour = Math.floorDiv(row.timeMillis(), HOUR_MS);
      for (String dimension : DIMENSIONS) {
        hours
            .computeIfAbsent(List.of(dimension, hour, name(row, dimension)), k -> new Sums())
            .add(row);
      }
    }
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO trace_hours VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dimension,"
                + " hour, name) DO UPDATE SET requests = requests + excluded.requests, errors ="
                + " errors + excluded.errors, cost_usd = cost_usd + excluded.cost_usd,"
                + " input_tokens = input_tokens + excluded.input_tokens, output_tokens ="
                + " output_tokens + excluded.output_tokens, latency_ms = latency_ms +"
                + " excluded.latency_ms")) {
      for (Map.Entry<List<Object>, Sums> e : hours.entrySet()) {
        List<Object> key = e.getKey();
        Sums sums = e.getValue();
        upsert.setString(1, (String) key.get(0));
        upsert.setLong(2, (Long) key.get(1));
        upsert.setString(3, (String) key.get(2));
        upsert.setLong(4, sums.requests);
        upsert.setLong(5, sums.errors);
        upsert.setDouble(6, sums.costUsd);
        upsert.setLong(7, sums.inputTokens);
        upsert.setLong(8, sums.outputTokens);
        upsert.setDouble(9, sums.latencyMs);
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  private static String name(TraceRow row, String dimension) {
    return switch (dimension) {
      case "route" -> row.route();
      case "model" -> row.model();
      case "deployment" -> row.deployment();
      case "tenant" -> row.tenant();
      case "team" -> row.team();
      case "key" -> row.key();
      default -> "all";
    };
  }

  /** One row per trace, in order; 1 where it was new, 0 where the trace had one already. */
  private static int[] insertRows(Connection connection, List<TraceRow> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT OR IGNORE INTO trace_rows (id, time_ms, route, requested_model, model,"
                + " deployment, outcome, tenant, cost_usd, latency_ms, input_tokens, output_tokens,"
                + " stream, attempts, chain, refused_scope, key_name, team) VALUES (?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (TraceRow row : rows) {
        insert.setString(1, row.id());
        insert.setLong(2, row.timeMillis());
        insert.setString(3, row.route());
        insert.setString(4, row.requestedModel());
        insert.setString(5, row.model());
        insert.setString(6, row.deployment());
        insert.setString(7, row.outcome());
        insert.setString(8, row.tenant());
        insert.setDouble(9, row.costUsd());
        insert.setDouble(10, row.latencyMs());
        insert.setLong(11, row.inputTokens());
        insert.setLong(12, row.outputTokens());
        insert.setInt(13, row.stream() ? 1 : 0);
        insert.setInt(14, row.attempts());
        insert.setString(15, row.chain());
        insert.setString(16, row.refusedScope());
        insert.setString(17, row.key());
        insert.setString(18, row.team());
        insert.addBatch();
      }
      return insert.executeBatch();
    }
  }

  /**
   * Summarises, in batches, the traces a store written before the summaries holds. When every trace
   * has its row (the counts, read from the indexes, agree) the traces are not read at all: a
   * gateway with a large store starts without scanning it.
   */
  private static void summariseMissingRows(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet counts =
            s.executeQuery(
                "SELECT (SELECT COUNT(*) FROM traces) = (SELECT COUNT(*) FROM trace_rows)")) {
      if (counts.getInt(1) == 1) {
        return;
      }
    }
    long after = -1;
    while (true) {
      List<TraceRow> rows = new ArrayList<>();
      long before = after;
      try (PreparedStatement page =
          connection.prepareStatement(
              "SELECT rowid, json FROM traces WHERE rowid > ? AND NOT EXISTS (SELECT 1 FROM"
                  + " trace_rows r WHERE r.id = traces.id) ORDER BY rowid LIMIT 5000")) {
        page.setLong(1, after);
        try (ResultSet traces = page.executeQuery()) {
          while (traces.next()) {
            after = traces.getLong(1);
            try {
              rows.add(TraceRow.of(TraceJson.parse(traces.getString(2))));
            } catch (IOException | RuntimeException unreadable) {
              // A trace this version cannot read stays findable by its id only.
            }
          }
        }
      }
      if (after == before) {
        return;
      }
      connection.setAutoCommit(false);
      try {
        write(connection, rows);
        connection.commit();
      } catch (SQLException e) {
        // Turning auto-commit back on would commit the half-written batch.
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
  }

  /** A store whose rows were summarised before the hours existed gets its hours from its rows. */
  private static void summariseHoursIfNone(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      boolean hours;
      boolean rows;
      try (ResultSet r = s.executeQuery("SELECT EXISTS (SELECT 1 FROM trace_hours)")) {
        hours = r.getInt(1) == 1;
      }
      try (ResultSet r = s.executeQuery("SELECT EXISTS (SELECT 1 FROM trace_rows)")) {
        rows = r.getInt(1) == 1;
      }
      if (hours || !rows) {
        return;
      }
      for (String dimension : DIMENSIONS) {
        String column = column(dimension);
        s.execute(
            "INSERT INTO trace_hours SELECT '"
                + dimension
                + "', time_ms / "
                + HOUR_MS
                + ", "
                + column
                + ", COUNT(*), TOTAL(outcome != 'ok'), TOTAL(cost_usd), TOTAL(input_tokens),"
                + " TOTAL(output_tokens), TOTAL(latency_ms) FROM trace_rows GROUP BY 2, 3");
      }
    }
  }
}
