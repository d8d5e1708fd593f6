package dev.signalbox.core.trace;

import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.database.SharedDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Traces in the PostgreSQL database replicas share, so that every replica writes one store and
 * {@code traces}, {@code eval}, {@code replay} and {@code feedback} read all of them: one row per
 * trace with its canonical JSON ({@code signalbox_traces}), the config texts ({@code
 * signalbox_configs}) and the feedback ({@code signalbox_feedback}, one score per request and
 * source), and the dashboard's summaries of them ({@code signalbox_trace_rows}, {@code
 * signalbox_trace_hours}), written in the same transaction. Connections through a pool, so reads
 * never wait for the writer.
 */
public final class PostgresTraceStore implements TraceStore {
  private final HikariDataSource pool;

  /** Creates the tables when missing; closes {@code pool} when closed. */
  public PostgresTraceStore(HikariDataSource pool) {
    this.pool =
        SharedDatabase.createTables(
            pool,
            "trace store",
            "CREATE TABLE IF NOT EXISTS signalbox_traces (id text PRIMARY KEY, at timestamptz NOT"
                + " NULL, route text NOT NULL, outcome text NOT NULL, tenant text NOT NULL,"
                + " config_hash text NOT NULL, json text NOT NULL)",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS signalbox_traces_at ON signalbox_traces (at,"
                + " id)",
            "CREATE TABLE IF NOT EXISTS signalbox_configs (hash text PRIMARY KEY, text text NOT"
                + " NULL)",
            "CREATE TABLE IF NOT EXISTS signalbox_feedback (seq bigserial PRIMARY KEY, request_id"
                + " text NOT NULL, at timestamptz NOT NULL, score double precision NOT NULL,"
                + " comment text NOT NULL, source text NOT NULL, UNIQUE (request_id, source))");
    try (Connection c = pool.getConnection()) {
      SharedDatabase.underSchemaLock(c, locked -> TraceSummaries.create(locked, TraceSql.POSTGRES));
    } catch (SQLException e) {
      pool.close();
      throw new IllegalStateException("cannot open the trace store: " + e.getMessage(), e);
    }
  }

  @Override
  public void write(List<DecisionTrace> batch) throws SQLException {
    try (Connection c = pool.getConnection()) {
      SharedDatabase.inTransaction(
          c,
          work -> {
            insert(work, batch);
            TraceSummaries.write(
                work, TraceSql.POSTGRES, batch.stream().map(TraceRow::of).toList());
          });
    }
  }

  private static void insert(Connection c, List<DecisionTrace> batch) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO signalbox_traces VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO"
                + " UPDATE SET at = excluded.at, route = excluded.route, outcome ="
                + " excluded.outcome, tenant = excluded.tenant, config_hash ="
                + " excluded.config_hash, json = excluded.json")) {
      for (DecisionTrace t : batch) {
        insert.setString(1, t.id());
        insert.setTimestamp(2, Timestamp.from(t.time()));
        insert.setString(3, t.route());
        insert.setString(4, t.outcome());
        insert.setString(5, t.tenant());
        insert.setString(6, t.configHash());
        insert.setString(7, TraceJson.write(t));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  @Override
  public void storeConfig(String hash, String text) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO signalbox_configs VALUES (?, ?) ON CONFLICT (hash) DO NOTHING")) {
      insert.setString(1, hash);
      insert.setString(2, text);
      insert.executeUpdate();
    }
  }

  @Override
  public Optional<String> find(String id) throws SQLException {
    return single("SELECT json FROM signalbox_traces WHERE id = ?", id);
  }

  @Override
  public Optional<String> config(String hash) throws SQLException {
    return single("SELECT text FROM signalbox_configs WHERE hash = ?", hash);
  }

  private Optional<String> single(String sql, String key) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement query = c.prepareStatement(sql)) {
      query.setString(1, key);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    }
  }

  @Override
  public List<String> recent(int limit) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement query =
            c.prepareStatement(
                "SELECT json FROM signalbox_traces ORDER BY at DESC, id DESC LIMIT ?")) {
      query.setInt(1, limit);
      List<String> result = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(rows.getString(1));
        }
      }
      return result;
    }
  }

  @Override
  public void forEach(Consumer<String> json) throws SQLException {
    try (Connection c = pool.getConnection()) {
      // A cursor, so that a store of millions streams instead of loading whole.
      c.setAutoCommit(false);
      try (PreparedStatement query =
          c.prepareStatement("SELECT json FROM signalbox_traces ORDER BY at, id")) {
        query.setFetchSize(1_000);
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            json.accept(rows.getString(1));
          }
        }
      } finally {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
  }

  @Override
  public Kept addFeedback(Feedback feedback, String tenant) throws SQLException {
    try (Connection c = pool.getConnection()) {
      if (!traced(c, feedback.requestId(), tenant)) {
        return Kept.UNKNOWN_REQUEST;
      }
      return upsert(c, feedback) ? Kept.FIRST : Kept.AGAIN;
    }
  }

  @Override
  public List<String> addAllFeedback(List<Feedback> feedback) throws SQLException {
    try (Connection c = pool.getConnection()) {
      List<String> unknown = new ArrayList<>();
      for (Feedback f : feedback) {
        if (!traced(c, f.requestId(), null)) {
          unknown.add(f.requestId());
        }
      }
      if (!unknown.isEmpty()) {
        return unknown;
      }
      SharedDatabase.inTransaction(
          c,
          work -> {
            for (Feedback f : feedback) {
              upsert(work, f);
            }
          });
      return List.of();
    }
  }

  private static boolean traced(Connection c, String requestId, String tenant) throws SQLException {
    try (PreparedStatement query =
        c.prepareStatement(
            "SELECT 1 FROM signalbox_traces WHERE id = ?"
                + (tenant == null ? "" : " AND tenant = ?"))) {
      query.setString(1, requestId);
      if (tenant != null) {
        query.setString(2, tenant);
      }
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  /** Keeps one score per request and source; true when the request had no feedback before. */
  private static boolean upsert(Connection c, Feedback feedback) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "WITH earlier AS (SELECT count(*) AS n FROM signalbox_feedback WHERE request_id = ?)"
                + " INSERT INTO signalbox_feedback (request_id, at, score, comment, source)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id, source) DO UPDATE SET at ="
                + " excluded.at, score = excluded.score, comment = excluded.comment"
                + " RETURNING (SELECT n FROM earlier)")) {
      insert.setString(1, feedback.requestId());
      insert.setString(2, feedback.requestId());
      insert.setTimestamp(3, Timestamp.from(feedback.time()));
      insert.setDouble(4, feedback.score());
      insert.setString(5, feedback.comment());
      insert.setString(6, feedback.source());
      try (ResultSet rows = insert.executeQuery()) {
        rows.next();
        return rows.getLong(1) == 0;
      }
    }
  }

  @Override
  public List<Feedback> feedback(String requestId) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement query =
            c.prepareStatement(
                "SELECT at, score, comment, source FROM signalbox_feedback WHERE request_id = ?"
                    + " ORDER BY seq")) {
      query.setString(1, requestId);
      List<Feedback> result = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(
              new Feedback(
                  requestId,
                  rows.getDouble(2),
                  rows.getString(3),
                  rows.getTimestamp(1).toInstant(),
                  rows.getString(4)));
        }
      }
      return result;
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
