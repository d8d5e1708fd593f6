package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.limits.Charge;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.core.trace.TraceStores;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.PostgresServer;
import dev.signalbox.testing.RedisServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica killed with {@code kill -9} while streams are under way, beside a live one, both
 * sharing a real Redis and a real PostgreSQL database (the spend ledger and the traces): the dead
 * replica's reservations are freed once their lease runs out, no request is charged twice, and the
 * ledger is the traces' cost to the micro-dollar.
 */
@Timeout(300)
class ReplicaKillIT {
  @TempDir Path dir;

  private static final String CONFIG =
      """
      server: {access-log: false}
      database: {url: "%s"}
      limits:
        redis-url: "%s"
        lease-ttl: 3s
        tenants: {local: {budget: {usd: 1, period: daily}}}
      deployments:
        - name: quick
          provider: sim
          sim: {time-to-first-token-ms: {median: 2}, ms-per-token: {median: 1}, output-tokens: {median: 20, p99: 20}}
        - name: slow
          provider: sim
          sim: {time-to-first-token-ms: {median: 5}, ms-per-token: {median: 200, p99: 200}, output-tokens: {median: 100, p99: 100}}
      models:
        - {name: q, deployments: [quick], pricing: {input: 1, output: 10}}
        - {name: s, deployments: [slow], pricing: {input: 1, output: 10}}
      routes:
        - {name: fast, models: [q]}
        - {name: long, models: [s]}
      """;

  private static HttpRequest chat(ServeProcess serve, String route, boolean stream) {
    return HttpRequest.newBuilder(URI.create(serve.url("/v1/chat/completions")))
        .header("content-type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"model\":\""
                    + route
                    + "\",\"stream\":"
                    + stream
                    + ",\"max_tokens\":200,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build();
  }

  private static long query(PostgresServer postgres, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(postgres.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Polls {@code sql} until it gives {@code expected} or 20 s pass; the last value. */
  private static long await(PostgresServer postgres, String sql, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    long value;
    while ((value = query(postgres, sql)) != expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return value;
  }

  private static JsonNode tenant(ServeProcess serve) throws Exception {
    JsonNode usage =
        Json.MAPPER.readTree(
            serve
                .client
                .send(
                    HttpRequest.newBuilder(URI.create(serve.url("/v1/usage"))).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    return usage.path("scopes").get(0);
  }

  /** Every trace's id and cost in micro-dollars, from the store the replicas share. */
  private static List<Long> tracedMicros(PostgresServer postgres, Set<String> ids)
      throws Exception {
    List<Long> costs = new ArrayList<>();
    try (TraceStore traces = TraceStores.open(postgres.jdbcUrl(), Optional.empty())) {
      traces.forEach(
          json -> {
            try {
              JsonNode trace = Json.MAPPER.readTree(json);
              ids.add(trace.path("id").asText());
              costs.add(Charge.micros(trace.path("cost_usd").asDouble()));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    }
    return costs;
  }

  @Test
  void aKilledReplicasLeasesExpireAndTheLedgerIsTheTracesCost() throws Exception {
    try (PostgresServer postgres = new PostgresServer();
        RedisServer redis = new RedisServer(dir)) {
      Path configA = dir.resolve("a.yaml");
      Path configB = dir.resolve("b.yaml");
      Files.writeString(configA, CONFIG.formatted(postgres.jdbcUrl(), redis.url()));
      Files.writeString(configB, CONFIG.formatted(postgres.jdbcUrl(), redis.url()));
      List<InputStream> inFlight = new ArrayList<>();
      try (ServeProcess a = ServeProcess.start(dir, configA)) {
        for (int i = 0; i < 10; i++) {
          assertThat(
                  a.client
                      .send(chat(a, "fast", false), HttpResponse.BodyHandlers.ofString())
                      .statusCode())
              .isEqualTo(200);
        }
        assertThat(await(postgres, "SELECT count(*) FROM signalbox_spend", 10))
            .as("A's ten answers reached the ledger")
            .isEqualTo(10);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (tracedMicros(postgres, new HashSet<>()).size() < 10
            && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(tracedMicros(postgres, new HashSet<>()))
            .as("A's ten traces are in the shared store before it is killed")
            .hasSize(10);
        for (int i = 0; i < 3; i++) {
          HttpResponse<InputStream> stream =
              a.client.send(chat(a, "long", true), HttpResponse.BodyHandlers.ofInputStream());
          BufferedReader events =
              new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
          assertThat(events.readLine()).startsWith("data: {");
          inFlight.add(stream.body());
        }
        assertThat(tenant(a).path("reserved_usd").asDouble())
            .as("three streams under way hold reservations")
            .isPositive();
        a.process.destroyForcibly(); // SIGKILL: no drain, no flush
        assertThat(a.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      }
      for (InputStream stream : inFlight) {
        stream.close();
      }

      try (ServeProcess b = ServeProcess.start(dir, configB)) {
        // The dead replica's leases run out 3 s after they were taken; the next reservation
        // frees them.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        double reserved;
        do {
          assertThat(
                  b.client
                      .send(chat(b, "fast", false), HttpResponse.BodyHandlers.ofString())
                      .statusCode())
              .isEqualTo(200);
          reserved = tenant(b).path("reserved_usd").asDouble();
        } while (reserved > 0 && System.nanoTime() < deadline);
        assertThat(reserved).as("the killed replica's reservations were freed").isZero();
        assertThat(b.terminate(Duration.ofSeconds(30))).as("B drains and stops").isTrue();
      }

      Set<String> ids = new HashSet<>();
      List<Long> costs = tracedMicros(postgres, ids);
      assertThat(ids).hasSize(costs.size());
      long traced = costs.stream().mapToLong(Long::longValue).sum();
      assertThat(query(postgres, "SELECT count(*) FROM signalbox_spend"))
          .as("one ledger entry per request that ended, none for the killed streams")
          .isEqualTo(costs.size());
      assertThat(query(postgres, "SELECT count(DISTINCT request_id) FROM signalbox_spend"))
          .isEqualTo(costs.size());
      assertThat(query(postgres, "SELECT coalesce(sum(micro_usd), 0) FROM signalbox_spend"))
          .as("the ledger is the traces' cost, to the micro-dollar")
          .isEqualTo(traced);
    }
  }
}
