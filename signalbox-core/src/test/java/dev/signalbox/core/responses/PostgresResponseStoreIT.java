package dev.signalbox.core.responses;

import dev.signalbox.api.TimeSource;
import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.testing.PostgresServer;
import dev.signalbox.testing.SharedPostgres;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The response store in the database replicas share: a real PostgreSQL server on loopback. */
@ExtendWith(SharedPostgres.class)
class PostgresResponseStoreIT extends ResponseStoreContract {
  private static PostgresServer postgres;

  @BeforeAll
  static void share(PostgresServer shared) {
    postgres = shared;
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
