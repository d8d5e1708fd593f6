package dev.signalbox.core.keys;

import dev.signalbox.core.trace.PrivateFiles;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Virtual keys in an SQLite file readable by its owner only: one row per key, its JSON with the
 * digests (never a secret). Opened on first use, so a gateway that never makes a key has no file.
 */
public final class SqliteKeyStore implements KeyStore {
  private final Path file;
  private final ReentrantLock lock = new ReentrantLock();
  private @Nullable Connection connection;

  public SqliteKeyStore(Path file) {
    this.file = file;
  }

  private Connection connection() throws SQLException, IOException {
    if (connection == null) {
      connection =
          PrivateFiles.sqlite(
              file,
              "CREATE TABLE IF NOT EXISTS virtual_keys (id TEXT PRIMARY KEY, json TEXT NOT NULL)");
    }
    return connection;
  }

  @Override
  public List<VirtualKey> all() {
    if (!Files.exists(file)) {
      return List.of();
    }
    lock.lock();
    try (Statement query = connection().createStatement();
        ResultSet rows = query.executeQuery("SELECT json FROM virtual_keys ORDER BY id")) {
      List<VirtualKey> keys = new ArrayList<>();
      while (rows.next()) {
        keys.add(KeyJson.read(Json.MAPPER.readTree(rows.getString(1))));
      }
      return keys;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the key store " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void put(VirtualKey key) {
    lock.lock();
    try (PreparedStatement insert =
        connection().prepareStatement("INSERT OR REPLACE INTO virtual_keys VALUES (?, ?)")) {
      insert.setString(1, key.id());
      insert.setString(2, Json.text(KeyJson.stored(key)));
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot write the key store " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException e) {
      // Closing; every write was committed.
    } finally {
      lock.unlock();
    }
  }
}
