package dev.signalbox.core.trace;

import dev.signalbox.core.database.SharedDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
      " (id TEXT PRIMARY KEY, time_ms BIGINT NOT NULL, route TEXT NOT NULL, requested_model TEXT"
          + " NOT NULL, model TEXT NOT NULL, deployment TEXT NOT NULL, outcome TEXT NOT NULL,"
          + " tenant TEXT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, latency_ms DOUBLE"
          + " PRECISION NOT NULL, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL,"
          + " stream INTEGER NOT NULL, attempts INTEGER NOT NULL, chain TEXT NOT NULL,"
          + " refused_scope TEXT NOT NULL, key_name TEXT NOT NULL DEFAULT '', team TEXT NOT NULL"
          + " DEFAULT '')";

  private static final String HOURS =
      " (dimension TEXT NOT NULL, hour BIGINT NOT NULL, name TEXT NOT NULL, requests BIGINT NOT"
          + " NULL, errors BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL, input_tokens BIGINT"
          + " NOT NULL, output_tokens BIGINT NOT NULL, latency_ms DOUBLE PRECISION NOT NULL,"
          + " PRIMARY KEY (dimension, hour, name))";

  /**
   * The rows the outcome, key and team indexes hold: a search by outcome wants failures (an
   * ordinary trace is found by time), one by key or team keyed requests. A keyless gateway's
   * ordinary trace so writes three fewer index entries. A search must state the same condition,
   * word for word, for SQLite to use the index ({@link TraceExplorer} does).
   */
  static final String FAILED = "outcome <> 'ok'";

  static final String KEYED = "key_name <> ''";
  static final String IN_A_TEAM = "team <> ''";

  // Cost and latency ride in the time and route indexes, so a search by either scans the index
  // alone until it has its page. Each: the index's name, then what it covers.
  private static final List<List<String>> INDEXES =
      List.of(
          List.of("trace_rows_by_time", "(time_ms, id, cost_usd, latency_ms)"),
          List.of("trace_rows_by_route", "(route, time_ms, id, cost_usd, latency_ms)"),
          List.of("trace_rows_model", "(model, time_ms, id)"),
          List.of("trace_rows_deployment", "(deployment, time_ms, id)"),
          List.of("trace_rows_failed", "(outcome, time_ms, id) WHERE " + FAILED),
          List.of("trace_rows_tenant", "(tenant, time_ms, id)"),
          List.of("trace_rows_by_key", "(key_name, time_ms, id) WHERE " + KEYED),
          List.of("trace_rows_by_team", "(team, time_ms, id) WHERE " + IN_A_TEAM),
          List.of("trace_rows_refused", "(refused_scope, time_ms) WHERE refused_scope <> ''"));

  /** Indexes an older store has that these replace: the same three over every row. */
  private static final List<String> REPLACED =
      List.of("trace_rows_outcome", "trace_rows_key", "trace_rows_team");

  private TraceSummaries() {}

  /** Creates the tables and indexes, and summarises whatever traces are not yet. */
  static void create(Connection connection, TraceSql sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + sql.table("trace_rows") + ROWS);
      if (sql == TraceSql.SQLITE) {
        addColumnIfMissing(s, "key_name");
        addColumnIfMissing(s, "team");
        s.execute("DROP INDEX IF EXISTS trace_rows_time");
        s.execute("DROP INDEX IF EXISTS trace_rows_route");
      }
      for (String index : REPLACED) {
        s.execute(sql.dropIndex(index));
      }
      s.execute(
          "CREATE TABLE IF NOT EXISTS " + sql.table("trace_hours") + HOURS + sql.tableOptions());
    }
    SharedDatabase.runSchema(
        connection,
        INDEXES.stream()
            .map(index -> sql.createIndex(index.get(0), sql.table("trace_rows") + index.get(1)))
            .toList());
    summariseMissingRows(connection, sql);
    summariseHoursIfNone(connection, sql);
  }

  /** Rows summarised in a SQLite store before keys were recorded have none. */
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

  /**
   * Writes a batch's rows and adds the new ones to their hours; the caller's transaction. The hours
   * are updated in one order (dimension, hour, name), so that replicas writing the same hours at
   * once wait for each other instead of deadlocking.
   */
  static void write(Connection connection, TraceSql sql, List<TraceRow> rows) throws SQLException {
    int[] inserted = insertRows(connection, sql, rows);
    Map<Hour, Sums> hours = new TreeMap<>();
    for (int i = 0; i < rows.size(); i++) {
      if (inserted[i] == 0) {
        continue; // the same trace again: counted once
      }
      TraceRow row = rows.get(i);
      long hour = Math.floorDiv(row.timeMillis(), HOUR_MS);
      for (String dimension : DIMENSIONS) {
        hours
            .computeIfAbsent(new Hour(dimension, hour, name(row, dimension)), k -> new Sums())
            .add(row);
      }
    }
    String hoursTable = sql.table("trace_hours");
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO "
                + hoursTable
                + " AS h VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dimension, hour, name) DO"
                + " UPDATE SET requests = h.requests + excluded.requests, errors = h.errors +"
                + " excluded.errors, cost_usd = h.cost_usd + excluded.cost_usd, input_tokens ="
                + " h.input_tokens + excluded.input_tokens, output_tokens = h.output_tokens +"
                + " excluded.output_tokens, latency_ms = h.latency_ms + excluded.latency_ms")) {
      for (Map.Entry<Hour, Sums> e : hours.entrySet()) {
        Hour key = e.getKey();
        Sums sums = e.getValue();
        upsert.setString(1, key.dimension());
        upsert.setLong(2, key.hour());
        upsert.setString(3, key.name());
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

  /** One hour's sums of one group, ordered by dimension, hour and name. */
  private record Hour(String dimension, long hour, String name) implements Comparable<Hour> {
    private static final Comparator<Hour> ORDER =
        Comparator.comparing(Hour::dimension)
            .thenComparingLong(Hour::hour)
            .thenComparing(Hour::name);

    @Override
    public int compareTo(Hour other) {
      return ORDER.compare(this, other);
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
  private static int[] insertRows(Connection connection, TraceSql sql, List<TraceRow> rows)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + sql.table("trace_rows")
                + " (id, time_ms, route, requested_model, model, deployment, outcome, tenant,"
                + " cost_usd, latency_ms, input_tokens, output_tokens, stream, attempts, chain,"
                + " refused_scope, key_name, team) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
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
  private static void summariseMissingRows(Connection connection, TraceSql sql)
      throws SQLException {
    String traces = sql.table("traces");
    String summaries = sql.table("trace_rows");
    if (isTrue(
        connection,
        "SELECT (SELECT COUNT(*) FROM "
            + traces
            + ") = (SELECT COUNT(*) FROM "
            + summaries
            + ")")) {
      return;
    }
    String after = "";
    while (true) {
      List<TraceRow> rows = new ArrayList<>();
      String before = after;
      try (PreparedStatement page =
          connection.prepareStatement(
              "SELECT t.id, t.json FROM "
                  + traces
                  + " t WHERE t.id > ? AND NOT EXISTS (SELECT 1 FROM "
                  + summaries
                  + " r WHERE r.id = t.id) ORDER BY t.id LIMIT 5000")) {
        page.setString(1, after);
        try (ResultSet found = page.executeQuery()) {
          while (found.next()) {
            after = found.getString(1);
            try {
              rows.add(TraceRow.of(TraceJson.parse(found.getString(2))));
            } catch (IOException | RuntimeException unreadable) {
              // A trace this version cannot read stays findable by its id only.
            }
          }
        }
      }
      if (after.equals(before)) {
        return;
      }
      SharedDatabase.inTransaction(connection, work -> write(work, sql, rows));
    }
  }

  /** A store whose rows were summarised before the hours existed gets its hours from its rows. */
  private static void summariseHoursIfNone(Connection connection, TraceSql sql)
      throws SQLException {
    String hours = sql.table("trace_hours");
    String summaries = sql.table("trace_rows");
    if (isTrue(connection, "SELECT EXISTS (SELECT 1 FROM " + hours + ")")
        || !isTrue(connection, "SELECT EXISTS (SELECT 1 FROM " + summaries + ")")) {
      return;
    }
    try (Statement s = connection.createStatement()) {
      for (String dimension : DIMENSIONS) {
        s.execute(
            "INSERT INTO "
                + hours
                + " SELECT '"
                + dimension
                + "', time_ms / "
                + HOUR_MS
                + ", "
                + column(dimension)
                + ", COUNT(*), "
                + sums(sql)
                + " FROM "
                + summaries
                + " GROUP BY 2, 3");
      }
    }
  }

  /** Errors, cost, input and output tokens and latency summed over summary rows. */
  static String sums(TraceSql sql) {
    return String.join(
        ", ",
        sql.errors(),
        sql.total("cost_usd"),
        sql.total("input_tokens"),
        sql.total("output_tokens"),
        sql.total("latency_ms"));
  }

  private static boolean isTrue(Connection connection, String query) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet result = s.executeQuery(query)) {
      return result.next() && result.getBoolean(1);
    }
  }
}
