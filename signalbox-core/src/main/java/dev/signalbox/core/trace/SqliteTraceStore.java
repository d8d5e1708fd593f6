package dev.signalbox.core.trace;

import dev.signalbox.api.DecisionTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = connection.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute(
            "CREATE TABLE IF NOT EXISTS traces (id TEXT PRIMARY KEY, time TEXT NOT NULL, route TEXT"
                + " NOT NULL, outcome TEXT NOT NULL, config_hash TEXT NOT NULL, json TEXT NOT"
                + " NULL)");
        s.execute("CREATE INDEX IF NOT EXISTS traces_time ON traces(time)");
        s.execute("CREATE TABLE IF NOT EXISTS configs (hash TEXT PRIMARY KEY, text TEXT NOT NULL)");
        s.execute(
            "CREATE TABLE IF NOT EXISTS feedback (request_id TEXT NOT NULL, time TEXT NOT NULL,"
                + " score REAL NOT NULL, comment TEXT NOT NULL)");
        s.execute("CREATE INDEX IF NOT EXISTS feedback_request ON feedback(request_id)");
      }
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

  @Override
  public boolean addFeedback(Feedback feedback, String tenant) throws SQLException {
    lock.lock();
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO feedback SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM traces WHERE id = ?"
                + (tenant == null ? "" : " AND json_extract(json, '$.tenant') = ?")
                + ")")) {
      insert.setString(1, feedback.requestId());
      insert.setString(2, feedback.time().toString());
      insert.setDouble(3, feedback.score());
      insert.setString(4, feedback.comment());
      insert.setString(5, feedback.requestId());
      if (tenant != null) {
        insert.setString(6, tenant);
      }
      return insert.executeUpdate() == 1;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Feedback> feedback(String requestId) throws SQLException {
    List<Feedback> result = new ArrayList<>();
    lock.lock();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT time, score, comment FROM feedback WHERE request_id = ? ORDER BY rowid")) {
      query.setString(1, requestId);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(
              new Feedback(
                  requestId,
                  rows.getDouble(2),
                  rows.getString(3),
                  Instant.parse(rows.getString(1))));
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
