package dev.signalbox.core.responses;

import dev.signalbox.api.TimeSource;
import dev.signalbox.core.database.SharedDatabase;
import dev.signalbox.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The response store in the database replicas share: a real PostgreSQL server on loopback. */
class PostgresResponseStoreIT extends ResponseStoreContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();
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
    String database = "responses_" + DATABASES.incrementAndGet();
    try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl());
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    String url = postgres.jdbcUrl().replace("/postgres?", "/" + database + "?");
    return SqlResponseStore.shared(
        SharedDatabase.pool(url, Optional.empty(), "responses", 2), time, retention, maxStored);
  }
}
