package dev.signalbox.core.trace;

import dev.signalbox.core.database.SqlConnections;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A private SQLite file ({@link PrivateFiles#sqlite}) opened on first use, so that a store nobody
 * writes to leaves no file; its one connection is used under one lock. A failure is an unchecked
 * exception naming the store and the file.
 */
public final class LazySqlite implements SqlConnections {
  private final Path file;
  private final String name;
  private final String[] setUp;
  private final ReentrantLock lock = new ReentrantLock();
  private @Nullable Connection connection;

  /**
   * @param name what the file holds, for errors ("response store")
   * @param setUp the statements that set a new connection up (pragmas, tables if missing)
   */
  public LazySqlite(Path file, String name, String... setUp) {
    this.file = file;
    this.name = name;
    this.setUp = setUp.clone();
  }

  /** Whether the file exists yet. */
  public boolean exists() {
    return Files.exists(file);
  }

  /** Runs {@code work} under the lock, opening the file first if it is not open. */
  @Override
  public <T> T use(String doing, Work<T> work) {
    lock.lock();
    try {
      if (connection == null) {
        connection = PrivateFiles.sqlite(file, setUp);
      }
      return work.run(connection);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "cannot " + doing + " (" + name + " " + file + "): " + e.getMessage(), e);
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
        connection = null;
      }
    } catch (SQLException e) {
      // Closing: every write was committed.
    } finally {
      lock.unlock();
    }
  }
}
