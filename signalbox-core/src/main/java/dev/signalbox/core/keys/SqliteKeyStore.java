package dev.signalbox.core.keys;

import dev.signalbox.core.trace.LazySqlite;
import dev.signalbox.core.wire.Json;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Virtual keys in an SQLite file readable by its owner only: one row per key, its JSON with the
 * digests (never a secret). Opened on first use, so a gateway that never makes a key has no file.
 */
public final class SqliteKeyStore implements KeyStore {
  private final LazySqlite db;

  public SqliteKeyStore(Path file) {
    this.db =
        new LazySqlite(
            file,
            "key store",
            "CREATE TABLE IF NOT EXISTS virtual_keys (id TEXT PRIMARY KEY, json TEXT NOT NULL)");
  }

  @Override
  public List<VirtualKey> all() {
    if (!db.exists()) {
      return List.of();
    }
    return db.use(
        "read the keys",
        connection -> {
          try (Statement query = connection.createStatement();
              ResultSet rows = query.executeQuery("SELECT json FROM virtual_keys ORDER BY id")) {
            List<VirtualKey> keys = new ArrayList<>();
            while (rows.next()) {
              keys.add(KeyJson.read(Json.MAPPER.readTree(rows.getString(1))));
            }
            return keys;
          }
        });
  }

  @Override
  public void put(VirtualKey key) {
    db.use(
        "write key " + key.id(),
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement("INSERT OR REPLACE INTO virtual_keys VALUES (?, ?)")) {
            insert.setString(1, key.id());
            insert.setString(2, Json.text(KeyJson.stored(key)));
            return insert.executeUpdate();
          }
        });
  }

  @Override
  public void close() {
    db.close();
  }
}
