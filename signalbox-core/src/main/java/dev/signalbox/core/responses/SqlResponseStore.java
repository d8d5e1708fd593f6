package dev.signalbox.core.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.database.PooledConnections;
import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.core.database.SqlConnections;
import dev.signalbox.core.trace.LazySqlite;
import dev.signalbox.core.wire.Json;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stored responses, one row per response: in an SQLite file of their own (readable by its owner
 * only, as they hold conversations, and opened on first use, so a gateway whose clients never store
 * a response has none), or in the database replicas share ({@code signalbox_responses}), so that a
 * conversation continues on whichever replica its next request reaches. Each write first deletes
 * what is past the retention and, beyond the cap, the oldest rows, so the store stays bounded
 * without a sweeper thread.
 */
public final class SqlResponseStore implements ResponseStore {
  private static final String COLUMNS =
      " (id TEXT PRIMARY KEY, created BIGINT NOT NULL, owner TEXT NOT NULL, response TEXT NOT"
          + " NULL, input TEXT NOT NULL)";

  private final SqlConnections db;
  private final String table;
  private final String unlimited;
  private final TimeSource time;
  private final Duration retention;
  private final int maxStored;

  private SqlResponseStore(
      SqlConnections db,
      String table,
      String unlimited,
      TimeSource time,
      Duration retention,
      int maxStored) {
    this.db = db;
    this.table = table;
    this.unlimited = unlimited;
    this.time = time;
    this.retention = retention;
    this.maxStored = maxStored;
  }

  /** The store in its own SQLite file. */
  public static SqlResponseStore sqlite(
      Path file, TimeSource time, Duration retention, int maxStored) {
    return new SqlResponseStore(
        new LazySqlite(
            file,
            "response store",
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "CREATE TABLE IF NOT EXISTS responses" + COLUMNS,
            "CREATE INDEX IF NOT EXISTS responses_created ON responses(created)"),
        "responses",
        // SQLite takes an OFFSET only after a LIMIT; -1 is none.
        " LIMIT -1",
        time,
        retention,
        maxStored);
  }

  /** The store in the shared database; creates its table when missing, closes {@code pool}. */
  public static SqlResponseStore shared(
      HikariDataSource pool, TimeSource time, Duration retention, int maxStored) {
    SharedDatabase.createTables(
        pool,
        "response store",
        "CREATE TABLE IF NOT EXISTS signalbox_responses" + COLUMNS,
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS signalbox_responses_created ON"
            + " signalbox_responses(created)");
    return new SqlResponseStore(
        new PooledConnections(pool, "response store"),
        "signalbox_responses",
        "",
        time,
        retention,
        maxStored);
  }

  @Override
  public void put(StoredResponse response) {
    ArrayNode input = Json.MAPPER.createArrayNode();
    response.input().forEach(input::add);
    db.use(
        "store response " + response.id(),
        connection -> {
          expire(connection);
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO "
                      + table
                      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET created ="
                      + " excluded.created, owner = excluded.owner, response = excluded.response,"
                      + " input = excluded.input")) {
            insert.setString(1, response.id());
            insert.setLong(2, response.created().toEpochMilli());
            insert.setString(3, response.owner());
            insert.setString(4, Json.text(response.response()));
            insert.setString(5, Json.text(input));
            return insert.executeUpdate();
          }
        });
  }

  private void expire(Connection connection) throws SQLException {
    try (PreparedStatement old =
        connection.prepareStatement("DELETE FROM " + table + " WHERE created < ?")) {
      old.setLong(1, time.now().minus(retention).toEpochMilli());
      old.executeUpdate();
    }
    try (PreparedStatement overflow =
        connection.prepareStatement(
            "DELETE FROM "
                + table
                + " WHERE id IN (SELECT id FROM "
                + table
                + " ORDER BY created DESC"
                + unlimited
                + " OFFSET ?)")) {
      overflow.setInt(1, maxStored - 1);
      overflow.executeUpdate();
    }
  }

  @Override
  public Optional<StoredResponse> find(String id) {
    return db.use(
        "read response " + id,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT created, owner, response, input FROM "
                      + table
                      + " WHERE id = ? AND created >= ?")) {
            query.setString(1, id);
            query.setLong(2, time.now().minus(retention).toEpochMilli());
            try (ResultSet row = query.executeQuery()) {
              if (!row.next()) {
                return Optional.empty();
              }
              List<JsonNode> input = new ArrayList<>();
              Json.MAPPER.readTree(row.getString(4)).forEach(input::add);
              return Optional.of(
                  new StoredResponse(
                      id,
                      Instant.ofEpochMilli(row.getLong(1)),
                      row.getString(2),
                      (ObjectNode) Json.MAPPER.readTree(row.getString(3)),
                      input));
            }
          }
        });
  }

  @Override
  public boolean delete(String id) {
    return db.use(
        "delete response " + id,
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            delete.setString(1, id);
            return delete.executeUpdate() > 0;
          }
        });
  }

  @Override
  public void close() {
    db.close();
  }
}
