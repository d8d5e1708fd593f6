package dev.signalbox.core.trace;

import dev.signalbox.api.DecisionTrace;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Traces in an SQLite file, created on first use: one row per trace with its canonical JSON, and
 * one row per config text. One connection, guarded by a lock; the trace writer is its only frequent
 * user.
 */
public final class SqliteTraceStore implements TraceStore {
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();

  private SqliteTraceStore(Connection connection) {
    this.connection = connection;
  }

  public static SqliteTraceStore open(Path file) {
    try {
      Connection connection =
          PrivateFiles.sqlite(
              file,
              "PRAGMA journal_mode=WAL",
              "PRAGMA synchronous=NORMAL",
              "CREATE TABLE IF NOT EXISTS traces (id TEXT PRIMARY KEY, time TEXT NOT NULL, route"
                  + " TEXT NOT NULL, outcome TEXT NOT NULL, config_hash TEXT NOT NULL, json TEXT"
                  + " NOT NULL)",
              "CREATE INDEX IF NOT EXISTS traces_time ON traces(time)",
              "CREATE TABLE IF NOT EXISTS configs (hash TEXT PRIMARY KEY, text TEXT NOT NULL)",
              "CREATE TABLE IF NOT EXISTS feedback (request_id TEXT NOT NULL, time TEXT NOT NULL,"
                  + " score REAL NOT NULL, comment TEXT NOT NULL, source TEXT NOT NULL DEFAULT"
                  + " 'api')");
      migrateFeedback(connection);
      addSummaries(connection);
      return new SqliteTraceStore(connection);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot open trace store " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void write(List<DecisionTrace> batch) throws SQLException {
    lock.lock();
    try {
      connection.setAutoCommit(false);
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT OR REPLACE INTO traces VALUES (?, ?, ?, ?, ?, ?)")) {
        for (DecisionTrace t : batch) {
          insert.setString(1, t.id());
          insert.setString(2, t.time().toString());
          insert.setString(3, t.route());
          insert.setString(4, t.outcome());
          insert.setString(5, t.configHash());
          insert.setString(6, TraceJson.write(t));
          insert.addBatch();
        }
        insert.executeBatch();
        writeRows(batch.stream().map(TraceRow::of).toList());
        connection.commit();
      } catch (SQLException e) {
        rollbackQuietly();
        throw e;
      } finally {
        if (!connection.isClosed()) {
          connection.setAutoCommit(true);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The summary table and its indexes: what the dashboard's searches and aggregates read. */
  static final String SUMMARY_TABLE =
      "CREATE TABLE IF NOT EXISTS trace_rows (id TEXT PRIMARY KEY, time_ms INTEGER NOT NULL,"
          + " route TEXT NOT NULL, requested_model TEXT NOT NULL, model TEXT NOT NULL, deployment"
          + " TEXT NOT NULL, outcome TEXT NOT NULL, tenant TEXT NOT NULL, cost_usd REAL NOT NULL,"
          + " latency_ms REAL NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT"
          + " NULL, stream INTEGER NOT NULL, attempts INTEGER NOT NULL, chain TEXT NOT NULL,"
          + " refused_scope TEXT NOT NULL)";

  private static final List<String> SUMMARY_INDEXES =
      List.of(
          "CREATE INDEX IF NOT EXISTS trace_rows_time ON trace_rows(time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_route ON trace_rows(route, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_model ON trace_rows(model, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_deployment"
              + " ON trace_rows(deployment, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_outcome ON trace_rows(outcome, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_tenant ON trace_rows(tenant, time_ms, id)",
          "CREATE INDEX IF NOT EXISTS trace_rows_refused"
              + " ON trace_rows(refused_scope, time_ms) WHERE refused_scope != ''");

  /**
   * Creates the summary table; a store written before it existed has its traces summarised once, in
   * batches, from their JSON.
   */
  private static void addSummaries(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(SUMMARY_TABLE);
      for (String index : SUMMARY_INDEXES) {
        s.execute(index);
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
          insertRows(connection, rows);
          connection.commit();
        } finally {
          connection.setAutoCommit(true);
        }
      }
    }
  }

  private void writeRows(List<TraceRow> rows) throws SQLException {
    insertRows(connection, rows);
  }

  private static void insertRows(Connection connection, List<TraceRow> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT OR REPLACE INTO trace_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?)")) {
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
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException alreadyBroken) {
      // The write failed; its own exception says why.
    }
  }

  @Override
  public void storeConfig(String hash, String text) throws SQLException {
    lock.lock();
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT OR IGNORE INTO configs VALUES (?, ?)")) {
      insert.setString(1, hash);
      insert.setString(2, text);
      insert.executeUpdate();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<String> find(String id) throws SQLException {
    return single("SELECT json FROM traces WHERE id = ?", id);
  }

  @Override
  public Optional<String> config(String hash) throws SQLException {
    return single("SELECT text FROM configs WHERE hash = ?", hash);
  }

  private Optional<String> single(String sql, String key) throws SQLException {
    lock.lock();
    try (PreparedStatement query = connection.prepareStatement(sql)) {
      query.setString(1, key);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores before feedback had a source kept every score; the newest per request stays, as the
   * one-score rule would have kept it.
   */
  private static void migrateFeedback(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      boolean hasSource = false;
      try (ResultSet columns = s.executeQuery("PRAGMA table_info(feedback)")) {
        while (columns.next()) {
          hasSource |= columns.getString("name").equals("source");
        }
      }
      if (!hasSource) {
        s.execute("ALTER TABLE feedback ADD COLUMN source TEXT NOT NULL DEFAULT 'api'");
      }
      s.execute(
          "DELETE FROM feedback WHERE rowid NOT IN"
              + " (SELECT MAX(rowid) FROM feedback GROUP BY request_id, source)");
      s.execute("DROP INDEX IF EXISTS feedback_request");
      s.execute(
          "CREATE UNIQUE INDEX IF NOT EXISTS feedback_request_source"
              + " ON feedback(request_id, source)");
    }
  }

  @Override
  public Kept addFeedback(Feedback feedback, String tenant) throws SQLException {
    lock.lock();
    try {
      if (!traced(feedback.requestId(), tenant)) {
        return Kept.UNKNOWN_REQUEST;
      }
      boolean first = feedback(feedback.requestId()).isEmpty();
      upsert(feedback);
      return first ? Kept.FIRST : Kept.AGAIN;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<String> addAllFeedback(List<Feedback> feedback) throws SQLException {
    lock.lock();
    try {
      List<String> unknown = new ArrayList<>();
      for (Feedback f : feedback) {
        if (!traced(f.requestId(), null)) {
          unknown.add(f.requestId());
        }
      }
      if (!unknown.isEmpty()) {
        return unknown;
      }
      connection.setAutoCommit(false);
      try {
        for (Feedback f : feedback) {
          upsert(f);
        }
        connection.commit();
      } catch (SQLException e) {
        rollbackQuietly();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
      return List.of();
    } finally {
      lock.unlock();
    }
  }

  private boolean traced(String requestId, String tenant) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT 1 FROM traces WHERE id = ?"
                + (tenant == null ? "" : " AND json_extract(json, '$.tenant') = ?"))) {
      query.setString(1, requestId);
      if (tenant != null) {
        query.setString(2, tenant);
      }
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  private void upsert(Feedback feedback) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO feedback (request_id, time, score, comment, source) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (request_id, source) DO UPDATE SET time = excluded.time,"
                + " score = excluded.score, comment = excluded.comment")) {
      insert.setString(1, feedback.requestId());
      insert.setString(2, feedback.time().toString());
      insert.setDouble(3, feedback.score());
      insert.setString(4, feedback.comment());
      insert.setString(5, feedback.source());
      insert.executeUpdate();
    }
  }

  @Override
  public List<Feedback> feedback(String requestId) throws SQLException {
    List<Feedback> result = new ArrayList<>();
    lock.lock();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT time, score, comment, source FROM feedback WHERE request_id = ? ORDER BY"
                + " rowid")) {
      query.setString(1, requestId);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(
              new Feedback(
                  requestId,
                  rows.getDouble(2),
                  rows.getString(3),
                  Instant.parse(rows.getString(1)),
                  rows.getString(4)));
        }
      }
    } finally {
      lock.unlock();
    }
    return result;
  }

  @Override
  public List<String> recent(int limit) throws SQLException {
    List<String> result = new ArrayList<>();
    lock.lock();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT json FROM traces ORDER BY time DESC, id DESC LIMIT ?")) {
      query.setInt(1, limit);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(rows.getString(1));
        }
      }
    } finally {
      lock.unlock();
    }
    return result;
  }

  @Override
  public void forEach(Consumer<String> json) throws SQLException {
    lock.lock();
    try (Statement query = connection.createStatement();
        ResultSet rows = query.executeQuery("SELECT json FROM traces ORDER BY time, id")) {
      while (rows.next()) {
        json.accept(rows.getString(1));
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Nothing left to save: every write committed its own transaction.
    } finally {
      lock.unlock();
    }
  }
}
