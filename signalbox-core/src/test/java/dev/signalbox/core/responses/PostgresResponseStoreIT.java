package dev.signalbox.core.responses;

import dev.signalbox.api.TimeSource;
import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.testing.PostgresServer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The response store in the database replicas share: a real PostgreSQL server on loopback. */
class PostgresResponseStoreIT extends ResponseStoreContract {
  private static PostgresServer postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = new PostgresServer();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  @Override
  SqlResponseStore open(TimeSource time, Duration retention, int maxStored) throws Exception {
    return SqlResponseStore.shared(
        SharedDatabase.pool(postgres.newDatabase(), Optional.empty(), "responses", 2),
        time,
        retention,
        maxStored);
  }
}
