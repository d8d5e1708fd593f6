package dev.signalbox.core.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.core.keys.PostgresKeyStore;
import dev.signalbox.core.limits.PostgresSpendLedger;
import dev.signalbox.core.trace.PostgresTraceStore;
import dev.signalbox.testing.PostgresServer;
import dev.signalbox.testing.SharedPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replicas of a new deployment start together on one empty database: each creates the tables and
 * indexes it needs, and none may fail for having raced another (PostgreSQL's {@code IF NOT EXISTS}
 * is not safe against a concurrent creation of the same name).
 */
@ExtendWith(SharedPostgres.class)
class SharedSchemaIT {
  private static final int REPLICAS = 4;
  private static final int DATABASES = 6;

  private static PostgresServer postgres;

  @BeforeAll
  static void share(PostgresServer shared) {
    postgres = shared;
  }

  @Test
  void replicasStartingTogetherOnAnEmptyDatabaseAllOpenTheirStores() throws Exception {
    ExecutorService replicas = Executors.newFixedThreadPool(REPLICAS);
    try {
      for (int database = 0; database < DATABASES; database++) {
        String url = postgres.newDatabase();
        CyclicBarrier together = new CyclicBarrier(REPLICAS);
        List<Future<?>> starts = new ArrayList<>();
        for (int replica = 0; replica < REPLICAS; replica++) {
          starts.add(replicas.submit(() -> openEveryStore(url, together)));
        }
        for (Future<?> started : starts) {
          started.get(60, TimeUnit.SECONDS); // throws what a replica's start threw
        }
      }
    } finally {
      replicas.shutdownNow();
    }
  }

  private static Void openEveryStore(String url, CyclicBarrier together) throws Exception {
    HikariDataSource traces = SharedDatabase.pool(url, Optional.empty(), "traces", 2);
    HikariDataSource keys = SharedDatabase.pool(url, Optional.empty(), "keys", 2);
    HikariDataSource spend = SharedDatabase.pool(url, Optional.empty(), "spend", 2);
    together.await(30, TimeUnit.SECONDS);
    try (PostgresTraceStore store = new PostgresTraceStore(traces)) {
      assertThat(store.recent(1)).isEmpty();
    }
    new PostgresKeyStore(keys).close();
    new PostgresSpendLedger(spend).close();
    return null;
  }
}
