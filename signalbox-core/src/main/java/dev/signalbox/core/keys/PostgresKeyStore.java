package dev.signalbox.core.keys;

import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Virtual keys in the PostgreSQL database replicas share ({@code signalbox_keys}: each key's JSON
 * with its digests, never a secret). Every write takes the next version from a sequence while
 * holding the table's write lock until it commits, so versions commit in order and a replica that
 * has read up to version n has seen every write numbered n or less ({@link #since}).
 */
public final class PostgresKeyStore implements KeyStore {
  private final HikariDataSource pool;

  /** Creates the table when missing; closes {@code pool} when closed. */
  public PostgresKeyStore(HikariDataSource pool) {
    this.pool =
        SharedDatabase.createTables(
            pool,
            "key store",
            "CREATE SEQUENCE IF NOT EXISTS signalbox_keys_version",
            "CREATE TABLE IF NOT EXISTS signalbox_keys (id text PRIMARY KEY, json text NOT NULL,"
                + " version bigint NOT NULL)");
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public List<VirtualKey> all() {
    return since(0).keys();
  }

  @Override
  public Changed since(long version) {
    try (Connection c = pool.getConnection();
        PreparedStatement query =
            c.prepareStatement(
                "SELECT json, version FROM signalbox_keys WHERE version > ? ORDER BY version")) {
      query.setLong(1, version);
      List<VirtualKey> keys = new ArrayList<>();
      long newest = version;
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          keys.add(KeyJson.read(Json.MAPPER.readTree(rows.getString(1))));
          newest = rows.getLong(2);
        }
      }
      return new Changed(keys, newest);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the keys: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("a stored key is not readable", e);
    }
  }

  @Override
  public void put(VirtualKey key) {
    try (Connection c = pool.getConnection()) {
      SharedDatabase.inTransaction(
          c,
          work -> {
            try (Statement lock = work.createStatement();
                PreparedStatement insert =
                    work.prepareStatement(
                        "INSERT INTO signalbox_keys VALUES (?, ?,"
                            + " nextval('signalbox_keys_version')) ON CONFLICT (id) DO UPDATE SET"
                            + " json = excluded.json, version = excluded.version")) {
              lock.execute("LOCK TABLE signalbox_keys IN SHARE ROW EXCLUSIVE MODE");
              insert.setString(1, key.id());
              insert.setString(2, Json.text(KeyJson.stored(key)));
              insert.executeUpdate();
            }
          });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write key " + key.id() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
