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
              // A checkpoint every 64 MB of log rather than SQLite's 4 MB: the summary indexes'
              // hot pages are copied and synced once per checkpoint, not every few batches (10-25%
              // less CPU per trace in TraceWriteBenchmark); the log is cut back to that size after.
              "PRAGMA wal_autocheckpoint=16384",
              "PRAGMA journal_size_limit=67108864",
              "CREATE TABLE IF NOT EXISTS traces (id TEXT PRIMARY KEY, time TEXT NOT NULL, route"
                  + " TEXT NOT NULL, outcome TEXT NOT NULL, config_hash TEXT NOT NULL, json TEXT"
                  + " NOT NULL)",
              "CREATE INDEX IF NOT EXISTS traces_time ON traces(time)",
              "CREATE TABLE IF NOT EXISTS configs (hash TEXT PRIMARY KEY, text TEXT NOT NULL)",
              "CREATE TABLE IF NOT EXISTS feedback (request_id TEXT NOT NULL, time TEXT NOT NULL,"
                  + " score REAL NOT NULL, comment TEXT NOT NULL, source TEXT NOT NULL DEFAULT"
                  + " 'api')");
      migrateFeedback(connection);
      TraceSummaries.create(connection, TraceSql.SQLITE);
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
        TraceSummaries.write(
            connection, TraceSql.SQLITE, batch.stream().map(TraceRow::of).toList());
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
