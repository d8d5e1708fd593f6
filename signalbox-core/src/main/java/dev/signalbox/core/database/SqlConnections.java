package dev.signalbox.core.database;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a store gets a connection for one piece of work: its own SQLite file, or a pool on the
 * shared database. A failure is an unchecked exception naming the store.
 */
public interface SqlConnections extends AutoCloseable {
  /** Work on a connection lent for it. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException, IOException;
  }

  /**
   * Runs {@code work} on a connection.
   *
   * @param doing what the work does, for errors ("store response resp_1")
   */
  <T> T use(String doing, Work<T> work);

  @Override
  void close();
}
