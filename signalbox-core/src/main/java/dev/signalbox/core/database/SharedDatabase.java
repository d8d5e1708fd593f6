package dev.signalbox.core.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.core.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens pools on the shared PostgreSQL database. Each store (traces, keys, the spend ledger) has a
 * small pool of its own, named after it, so that one store's slow query never holds another's
 * connections and each closes with its owner.
 */
public final class SharedDatabase {
  // Held, so that the level stays: the pool's start and stop lines are noise beside ours.
  private static final Logger HIKARI = quiet(Logger.getLogger("com.zaxxer.hikari"));

  /** The schema lock's advisory key: "SIGNALBX" in ASCII, so that it is told from others. */
  private static final long SCHEMA_LOCK = 0x5349474e414c4258L;

  /**
   * How long a replica waits for another's schema work (a large store's first summary included).
   */
  private static final Duration SCHEMA_LOCK_WAIT = Duration.ofMinutes(15);

  private static final Pattern CONCURRENT_BUILD =
      Pattern.compile("^CREATE INDEX CONCURRENTLY IF NOT EXISTS (\\w+) ");

  private SharedDatabase() {}

  private static Logger quiet(Logger logger) {
    logger.setLevel(Level.WARNING);
    return logger;
  }

  /**
   * A pool of at most {@code size} connections.
   *
   * @param environment where {@code password-env} is looked up
   */
  public static HikariDataSource pool(
      DatabaseSettings settings, Function<String, String> environment, String name, int size) {
    String url =
        settings.url().orElseThrow(() -> new IllegalArgumentException("database.url is not set"));
    return pool(url, settings.passwordEnv().map(environment), name, size);
  }

  /** A pool on {@code url}, with a password when one is given. */
  public static HikariDataSource pool(
      String url, Optional<String> password, String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    password.ifPresent(config::setPassword);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setPoolName("signalbox-" + name);
    config.setConnectionTimeout(5_000);
    return new HikariDataSource(config);
  }

  /** Work that runs as one transaction. */
  @FunctionalInterface
  public interface Transaction {
    void run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} on {@code connection} as one transaction: committed when it returns, rolled
   * back when it throws (turning auto-commit back on would commit what it wrote so far).
   */
  public static void inTransaction(Connection connection, Transaction work) throws SQLException {
    connection.setAutoCommit(false);
    try {
      work.run(connection);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  /**
   * Runs a store's schema statements (each idempotent: {@code CREATE … IF NOT EXISTS}) under the
   * schema lock, as {@link #runSchema} does; when the database refuses, closes the pool and says
   * which store could not be opened.
   */
  public static HikariDataSource createTables(
      HikariDataSource pool, String store, String... statements) {
    try (Connection c = pool.getConnection()) {
      underSchemaLock(c, locked -> runSchema(locked, List.of(statements)));
      return pool;
    } catch (SQLException e) {
      pool.close();
      throw new IllegalStateException("cannot open the " + store + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code work} holding the database's one schema lock (a session advisory lock), so that
   * replicas starting together on an empty database change its schema one at a time: PostgreSQL's
   * {@code CREATE … IF NOT EXISTS} fails rather than waits when another session is creating the
   * same name. The lock is tried every 50 ms rather than waited for, since a session blocked in a
   * statement holds a snapshot that the holder's {@code CREATE INDEX CONCURRENTLY} would wait on in
   * turn (a deadlock). It goes with the session if the connection breaks.
   */
  public static void underSchemaLock(Connection connection, Transaction work) throws SQLException {
    try (Statement s = connection.createStatement()) {
      long deadline = System.nanoTime() + SCHEMA_LOCK_WAIT.toNanos();
      while (!tryLock(s)) {
        if (System.nanoTime() > deadline) {
          throw new SQLException(
              "another replica has held the schema lock for "
                  + SCHEMA_LOCK_WAIT.toMinutes()
                  + " minutes");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted waiting for the schema lock", e);
        }
      }
      try {
        work.run(connection);
      } finally {
        s.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
      }
    }
  }

  /**
   * Runs schema statements (each idempotent) in order. A concurrent build that failed or was
   * cancelled leaves its index behind, invalid, and {@code IF NOT EXISTS} would keep it so: an
   * index that one of them builds {@code CONCURRENTLY} and that is invalid is dropped first, to be
   * built again. Run under the schema lock, so that no build of this version is under way;
   * statements that build nothing concurrently (SQLite's) run as they are.
   */
  public static void runSchema(Connection connection, List<String> statements) throws SQLException {
    dropUnfinishedBuilds(
        connection,
        statements.stream()
            .map(CONCURRENT_BUILD::matcher)
            .filter(Matcher::find)
            .map(built -> built.group(1))
            .toList());
    try (Statement s = connection.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private static void dropUnfinishedBuilds(Connection connection, List<String> indexes)
      throws SQLException {
    if (indexes.isEmpty()) {
      return;
    }
    List<String> invalid = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT"
                + " i.indisvalid AND c.relname = ANY (?) AND pg_table_is_visible(c.oid)")) {
      query.setArray(1, connection.createArrayOf("text", indexes.toArray()));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          invalid.add(rows.getString(1));
        }
      }
    }
    try (Statement s = connection.createStatement()) {
      for (String index : invalid) {
        s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index);
      }
    }
  }

  private static boolean tryLock(Statement s) throws SQLException {
    try (ResultSet locked = s.executeQuery("SELECT pg_try_advisory_lock(" + SCHEMA_LOCK + ")")) {
      return locked.next() && locked.getBoolean(1);
    }
  }
}
