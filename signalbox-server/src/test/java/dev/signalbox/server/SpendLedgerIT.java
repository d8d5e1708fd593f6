package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.limits.Charge;
import dev.signalbox.testing.PostgresServer;
import dev.signalbox.testing.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spend ledger in a real PostgreSQL beside a real Redis, both on loopback: every settled
 * request is in the ledger once, its sum is the traces' cost to the micro-dollar, and a Redis that
 * comes back empty starts its budgets from the ledger, while fail-open scopes served through the
 * outage and fail-closed ones were refused with a 503.
 */
@Timeout(180)
class SpendLedgerIT {
  private static final String BODY =
      "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String OPEN_KEY = "sb-fail-open-key";

  @TempDir static Path dir;
  static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = new PostgresServer();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  @BeforeEach
  void emptyLedger() throws Exception {
    try (Connection c = DriverManager.getConnection(postgres.jdbcUrl());
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS signalbox_spend");
    }
  }

  private static GatewayHarness replica(String redisUrl, String teamLimits) throws Exception {
    return new GatewayHarness(
        """
        auth:
          keys:
            - {name: team-a, key-sha256: %s, tenant: acme, team: platform, limits: {rpm: 100000}}
            - {name: open-a, key-sha256: %s, tenant: acme, limits: {rpm: 100000, fail-open: true}}
        limits: {redis-url: "%s", lease-ttl: 1m, teams: {platform: %s}}
        database: {url: "%s"}
        """
                .formatted(
                    ConfigReader.sha256(ServerApiIT.TEAM_KEY),
                    ConfigReader.sha256(OPEN_KEY),
                    redisUrl,
                    teamLimits,
                    postgres.jdbcUrl())
            + ServerApiIT.POOL);
  }

  private static HttpResponse<String> call(GatewayHarness gateway, String key) throws Exception {
    return gateway.post("/v1/chat/completions", BODY, "authorization", "Bearer " + key);
  }

  private static long ledgerMicros(String where) throws Exception {
    try (Connection c = DriverManager.getConnection(postgres.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT coalesce(sum(micro_usd), 0) FROM signalbox_spend " + where)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static List<String> ledgerIds() throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(postgres.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT request_id, micro_usd FROM signalbox_spend")) {
      while (r.next()) {
        ids.add(r.getString(1) + "=" + r.getLong(2));
      }
    }
    return ids;
  }

  private static double spentUsd(GatewayHarness gateway) throws Exception {
    JsonNode usage =
        GatewayHarness.json(
            gateway.get("/v1/usage", "authorization", "Bearer " + ServerApiIT.TEAM_KEY));
    for (JsonNode scope : usage.path("scopes")) {
      if (scope.path("scope").asText().equals("team:platform")) {
        return scope.path("spent_usd").asDouble();
      }
    }
    throw new AssertionError("no team scope in " + usage);
  }

  @Test
  void theLedgerIsTheTracesCostAndSeedsARedisThatCameBackEmpty() throws Exception {
    long traced = 0;
    List<String> tracedIds = new ArrayList<>();
    int port;
    try (RedisServer redis = new RedisServer(dir)) {
      port = redis.port();
      String budget = "{budget: {usd: 0.0005, period: daily}}";
      try (GatewayHarness a = replica(redis.url(), budget);
          GatewayHarness b = replica(redis.url(), budget)) {
        List<Future<HttpResponse<String>>> sent = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService clients = Executors.newFixedThreadPool(32)) {
          for (int i = 0; i < 200; i++) {
            GatewayHarness replica = i % 2 == 0 ? a : b;
            sent.add(
                clients.submit(
                    () -> {
                      go.await();
                      return call(replica, ServerApiIT.TEAM_KEY);
                    }));
          }
          go.countDown();
          for (int i = 0; i < sent.size(); i++) {
            HttpResponse<String> answer = sent.get(i).get();
            if (answer.statusCode() == 200) {
              GatewayHarness replica = i % 2 == 0 ? a : b;
              JsonNode trace = replica.trace(answer);
              traced += Charge.micros(trace.path("cost_usd").asDouble());
              tracedIds.add(trace.path("id").asText() + " " + trace.path("flags"));
            }
          }
        }
        assertThat(traced).isPositive().isLessThanOrEqualTo(500);
      } // closing a gateway writes what its ledger still holds
      assertThat(ledgerMicros(""))
          .as(
              "the ledger, to the micro-dollar; traced: %s; in the ledger: %s",
              tracedIds, ledgerIds())
          .isEqualTo(traced);
      assertThat(ledgerMicros("WHERE scopes @> ARRAY['team:platform']")).isEqualTo(traced);
      assertThat(ledgerMicros("WHERE scopes @> ARRAY['key:team-a']")).isEqualTo(traced);
    }
    // The same Redis address, restarted empty (no persistence), and a new replica.
    try (RedisServer redis = new RedisServer(dir, port);
        GatewayHarness c = replica(redis.url(), "{budget: {usd: 0.0005, period: daily}}")) {
      assertThat(spentUsd(c))
          .as("seeded from the ledger")
          .isCloseTo(traced / 1e6, org.assertj.core.data.Offset.offset(1e-9));
      HttpResponse<String> next = call(c, ServerApiIT.TEAM_KEY);
      if (next.statusCode() == 200) {
        traced += Charge.micros(c.trace(next).path("cost_usd").asDouble());
      } else {
        assertThat(GatewayHarness.json(next).path("error").path("code").asText())
            .isEqualTo("budget_exceeded");
      }
      assertThat(traced).as("never past the budget, across the restart").isLessThanOrEqualTo(500);
    }
    // A rolling budget is seeded slice by slice, from the same ledger.
    try (RedisServer redis = new RedisServer(dir);
        GatewayHarness d =
            replica(redis.url(), "{budget: {usd: 0.0005, period: daily, window: rolling}}")) {
      assertThat(spentUsd(d))
          .as("a rolling day seeded from the ledger")
          .isCloseTo(traced / 1e6, org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  void aRedisRestartUnderLoadServesFailOpenScopesRefusesFailClosedOnesAndReseeds()
      throws Exception {
    RedisServer redis = new RedisServer(dir);
    int port = redis.port();
    try (GatewayHarness gateway = replica(redis.url(), "{budget: {usd: 5, period: daily}}")) {
      double before = 0;
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> answer = call(gateway, ServerApiIT.TEAM_KEY);
        assertThat(answer.statusCode()).isEqualTo(200);
        before += gateway.trace(answer).path("cost_usd").asDouble();
      }
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicInteger served = new AtomicInteger();
      List<Integer> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      Thread load =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (loading.get()) {
                      try {
                        HttpResponse<String> answer = call(gateway, OPEN_KEY);
                        if (answer.statusCode() == 200) {
                          served.incrementAndGet();
                        } else {
                          failures.add(answer.statusCode());
                        }
                      } catch (Exception e) {
                        failures.add(-1);
                      }
                    }
                  });
      redis.close();
      HttpResponse<String> refused = call(gateway, ServerApiIT.TEAM_KEY);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(GatewayHarness.json(refused).path("error").path("code").asText())
          .isEqualTo("limit_state_unavailable");
      int servedDuringOutage = served.get();
      redis = new RedisServer(dir, port);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      HttpResponse<String> back;
      do {
        Thread.sleep(100);
        back = call(gateway, ServerApiIT.TEAM_KEY);
      } while (back.statusCode() != 200 && System.nanoTime() < deadline);
      assertThat(back.statusCode()).as("served again once Redis is back").isEqualTo(200);
      loading.set(false);
      load.join();
      assertThat(failures).as("the fail-open key through the restart").isEmpty();
      assertThat(served.get()).isGreaterThan(servedDuringOutage);
      double after = gateway.trace(back).path("cost_usd").asDouble(); // and every settlement
      assertThat(spentUsd(gateway))
          .as("the team's spend before the restart came back from the ledger")
          .isCloseTo(before + after, org.assertj.core.data.Offset.offset(2e-6));
    } finally {
      redis.close();
    }
    assertThat(ledgerMicros("WHERE scopes @> ARRAY['team:platform']")).isPositive();
  }
}
