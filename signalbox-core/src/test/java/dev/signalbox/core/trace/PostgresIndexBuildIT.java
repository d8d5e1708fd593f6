package dev.signalbox.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.testing.PostgresServer;
import dev.signalbox.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A new version that adds a summary index to a shared store builds it while the replicas of the
 * version before keep writing: a real PostgreSQL server, a writer's transaction held open so that
 * the build is seen waiting, and a second writer that must not queue behind it.
 */
@ExtendWith(SharedPostgres.class)
class PostgresIndexBuildIT {
  private static final String INDEX = "signalbox_trace_rows_failed";

  private static PostgresServer postgres;

  private final ExecutorService replica = Executors.newSingleThreadExecutor();
  private String url;
  private Connection oldReplica;

  @BeforeAll
  static void share(PostgresServer shared) {
    postgres = shared;
  }

  /** A store written by the version before this index: its tables, without the index. */
  @BeforeEach
  void storeWithoutTheIndex() throws Exception {
    url = postgres.newDatabase();
    openStore();
    execute("DROP INDEX " + INDEX);
    oldReplica = DriverManager.getConnection(url);
    oldReplica.setAutoCommit(false);
    insertRow(oldReplica, "req_old"); // the old replica's write, under way
  }

  @AfterEach
  void close() throws Exception {
    replica.shutdownNow();
    oldReplica.close();
  }

  @Test
  void writesGoOnWhileTheIndexIsBuilt() throws Exception {
    Future<?> opening = replica.submit(() -> openStore());
    int build = buildWaitingOnTheOldReplica();

    try (Connection another = DriverManager.getConnection(url);
        Statement s = another.createStatement()) {
      s.execute("SET lock_timeout = '3s'"); // behind a plain CREATE INDEX, this insert would wait
      insertRow(another, "req_during_the_build");
    }
    assertThat(build).isPositive();

    oldReplica.commit();
    opening.get(60, TimeUnit.SECONDS);
    assertThat(indexValid()).contains(true);
  }

  @Test
  void aBuildCutShortIsBuiltAgainByTheNextStart() throws Exception {
    Future<?> opening = replica.submit(() -> openStore());
    int build = buildWaitingOnTheOldReplica();
    execute("SELECT pg_cancel_backend(" + build + ")");
    assertThatThrownBy(() -> opening.get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(indexValid()).contains(false); // left behind by the cancelled build

    oldReplica.commit();
    openStore();
    assertThat(indexValid()).contains(true);
  }

  private Void openStore() {
    new PostgresTraceStore(SharedDatabase.pool(url, Optional.empty(), "traces", 2)).close();
    return null;
  }

  /**
   * The process id of the session building an index of the summaries once it waits for the open
   * write: the new one, or (were builds plain) any, since a plain build locks the table first.
   */
  private int buildWaitingOnTheOldReplica() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement query =
              c.prepareStatement(
                  "SELECT pid FROM pg_stat_activity WHERE query LIKE ? AND wait_event_type ="
                      + " 'Lock'")) {
        query.setString(1, "CREATE INDEX%ON signalbox_trace_rows%");
        try (ResultSet rows = query.executeQuery()) {
          if (rows.next()) {
            return rows.getInt(1);
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no index build waited on the open write within 30 s");
  }

  private Optional<Boolean> indexValid() throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement query =
            c.prepareStatement(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    + " WHERE c.relname = ?")) {
      query.setString(1, INDEX);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? Optional.of(rows.getBoolean(1)) : Optional.empty();
      }
    }
  }

  private void execute(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private static void insertRow(Connection c, String id) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO signalbox_trace_rows (id, time_ms, route, requested_model, model,"
                + " deployment, outcome, tenant, cost_usd, latency_ms, input_tokens,"
                + " output_tokens, stream, attempts, chain, refused_scope) VALUES (?, 0, 'r',"
                + " 'm', 'm', 'd', 'failed', '', 0, 0, 0, 0, 0, 1, '', '')")) {
      insert.setString(1, id);
      insert.executeUpdate();
    }
  }
}
