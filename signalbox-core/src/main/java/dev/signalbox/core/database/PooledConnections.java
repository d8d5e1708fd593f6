package dev.signalbox.core.database;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/** A store's pool on the shared database, a connection per piece of work. */
public final class PooledConnections implements SqlConnections {
  private final HikariDataSource pool;
  private final String name;

  /**
   * @param name what the store holds, for errors ("response store")
   */
  public PooledConnections(HikariDataSource pool, String name) {
    this.pool = pool;
    this.name = name;
  }

  @Override
  public <T> T use(String doing, Work<T> work) {
    try (Connection connection = pool.getConnection()) {
      return work.run(connection);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "cannot " + doing + " (" + name + " in the shared database): " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
