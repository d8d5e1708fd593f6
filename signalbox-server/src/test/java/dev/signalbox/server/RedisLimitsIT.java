package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways sharing their limits through a real Redis on loopback: a budget and a rate hold
 * across both as across one, and a Redis that is gone fails closed with a 503 naming it.
 */
@Timeout(120)
class RedisLimitsIT {
  private static final String BODY =
      "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir static Path dir;
  static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = new RedisServer(dir);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  private static GatewayHarness replica(String url, String keyLimits, String limits)
      throws Exception {
    return new GatewayHarness(
        """
        auth:
          keys:
            - {name: team-a, key-sha256: %s, tenant: acme, team: platform, limits: %s}
        limits: {redis-url: "%s", %s}
        """
                .formatted(ConfigReader.sha256(ServerApiIT.TEAM_KEY), keyLimits, url, limits)
            + ServerApiIT.POOL);
  }

  /** 200 requests at once, alternating between the replicas; the answers in order. */
  private static List<HttpResponse<String>> burst(GatewayHarness a, GatewayHarness b)
      throws Exception {
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    try (ExecutorService clients = Executors.newFixedThreadPool(32)) {
      for (int i = 0; i < 200; i++) {
        GatewayHarness replica = i % 2 == 0 ? a : b;
        sent.add(
            clients.submit(
                () -> {
                  go.await();
                  return replica.post(
                      "/v1/chat/completions",
                      BODY,
                      "authorization",
                      "Bearer " + ServerApiIT.TEAM_KEY);
                }));
      }
      go.countDown();
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (Future<HttpResponse<String>> f : sent) {
        answers.add(f.get());
      }
      return answers;
    }
  }

  @Test
  void aTeamBudgetHoldsAcrossTwoReplicas() throws Exception {
    try (GatewayHarness a =
            replica(
                redis.url(), "{}", "teams: {platform: {budget: {usd: 0.0005, period: daily}}}");
        GatewayHarness b =
            replica(
                redis.url(), "{}", "teams: {platform: {budget: {usd: 0.0005, period: daily}}}")) {
      double spent = 0;
      int[] admitted = new int[2];
      // One request on each replica first, so that both take part whichever of them the burst
      // reaches first (under load one replica's half can land after the other has spent it all).
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (GatewayHarness replica : List.of(a, b)) {
        answers.add(
            replica.post(
                "/v1/chat/completions", BODY, "authorization", "Bearer " + ServerApiIT.TEAM_KEY));
      }
      answers.addAll(burst(a, b));
      for (int i = 0; i < answers.size(); i++) {
        HttpResponse<String> answer = answers.get(i);
        GatewayHarness replica = i % 2 == 0 ? a : b;
        if (answer.statusCode() == 200) {
          admitted[i % 2]++;
          spent += replica.trace(answer).path("cost_usd").asDouble();
        } else {
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(429);
          assertThat(GatewayHarness.json(answer).path("error").path("code").asText())
              .isEqualTo("budget_exceeded");
        }
      }
      assertThat(admitted[0]).isPositive();
      assertThat(admitted[1]).isPositive();
      assertThat(spent).isLessThanOrEqualTo(0.0005);
      JsonNode usage =
          GatewayHarness.json(
              b.get("/v1/usage", "authorization", "Bearer " + ServerApiIT.TEAM_KEY));
      JsonNode team = usage.path("scopes").get(0);
      assertThat(team.path("scope").asText()).isEqualTo("team:platform");
      assertThat(team.path("spent_usd").asDouble())
          .isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(team.path("reserved_usd").asDouble()).isZero();
    }
  }

  @Test
  void aRollingBudgetCountsTheSlicesOfItsWindowOnly() throws Exception {
    String rolling = "teams: {platform: {budget: {usd: 0.0005, period: daily, window: rolling}}}";
    try (RedisServer own = new RedisServer(dir)) {
      long hour = Duration.ofHours(1).toMillis();
      long now = System.currentTimeMillis();
      if (hour - now % hour < 5_000) { // the slice about to end: wait for the next
        Thread.sleep(hour - now % hour + 100);
      }
      long sliceEnd = (System.currentTimeMillis() / hour + 1) * hour;
      String spent = "signalbox:{signalbox-limits}:team:platform:spent:r";
      RedisClient client = RedisClient.create(own.url());
      try (StatefulRedisConnection<String, String> redis = client.connect()) {
        redis.sync().set(spent + (sliceEnd - 12 * hour), "400"); // half a day ago: counted
        redis.sync().set(spent + (sliceEnd - 25 * hour), "900000"); // out of the window
      } finally {
        client.shutdown();
      }
      try (GatewayHarness a = replica(own.url(), "{}", rolling);
          GatewayHarness b = replica(own.url(), "{}", rolling)) {
        JsonNode team =
            GatewayHarness.json(
                    b.get("/v1/usage", "authorization", "Bearer " + ServerApiIT.TEAM_KEY))
                .path("scopes")
                .get(0);
        assertThat(team.path("spent_usd").asDouble()).isEqualTo(0.0004);
        assertThat(team.path("limits").path("budget").path("window").asText()).isEqualTo("rolling");
        assertThat(team.path("budget_resets_at").asText())
            .as("the spend of 12 hours ago leaves when its slice is a day old")
            .isEqualTo(Instant.ofEpochMilli(sliceEnd + 12 * hour).toString());

        double admitted = 0;
        List<HttpResponse<String>> answers = burst(a, b);
        for (int i = 0; i < answers.size(); i++) {
          if (answers.get(i).statusCode() == 200) {
            admitted += (i % 2 == 0 ? a : b).trace(answers.get(i)).path("cost_usd").asDouble();
          } else {
            assertThat(GatewayHarness.json(answers.get(i)).path("error").path("message").asText())
                .contains("limit $0.000500 rolling 24h");
            long retry = Long.parseLong(answers.get(i).headers().firstValue("retry-after").get());
            assertThat(retry * 1000)
                .as("the retry waits until the spend of 12 hours ago leaves, not a whole day")
                .isBetween(11 * hour, 13 * hour);
          }
        }
        assertThat(admitted).isPositive().isLessThanOrEqualTo(0.0001);
      }
    }
  }

  @Test
  void aKeysRateHoldsAcrossTwoReplicas() throws Exception {
    try (RedisServer own = new RedisServer(dir);
        GatewayHarness a = replica(own.url(), "{rpm: 10}", "lease-ttl: 1m");
        GatewayHarness b = replica(own.url(), "{rpm: 10}", "lease-ttl: 1m")) {
      long admitted = burst(a, b).stream().filter(r -> r.statusCode() == 200).count();
      // A minute's allowance at once, and at most one more if a request's worth of time passed.
      assertThat(admitted).isBetween(10L, 11L);
    }
  }

  @Test
  void aRateRaisedOnAnotherReplicaCountsWhatTheOldOneUsed() throws Exception {
    try (RedisServer own = new RedisServer(dir)) {
      try (GatewayHarness old = replica(own.url(), "{rpm: 10}", "lease-ttl: 1m")) {
        assertThat(admittedOneAfterAnother(old, 12)).isBetween(10, 11);
      }
      // The minute's allowance was used up at 10 a minute; at 20 a minute half of it is left.
      try (GatewayHarness raised = replica(own.url(), "{rpm: 20}", "lease-ttl: 1m")) {
        assertThat(admittedOneAfterAnother(raised, 14)).isBetween(9, 11);
        long exhaustedAt = System.nanoTime();
        // Rescaled once: the next replica at the same rate sees the same state, not a new change,
        // so it admits only what time has earned since (one request per 3 s at 20 a minute, one
        // more for the request under way); rescaling again would give it half a minute's worth.
        try (GatewayHarness same = replica(own.url(), "{rpm: 20}", "lease-ttl: 1m")) {
          int admitted = admittedOneAfterAnother(same, 4);
          long earned = Duration.ofNanos(System.nanoTime() - exhaustedAt).toSeconds() / 3;
          assertThat(admitted).isLessThanOrEqualTo(1 + (int) earned);
        }
      }
    }
  }

  @Test
  void oneRequestAtATimeIsAdmittedBackToBack() throws Exception {
    try (GatewayHarness replica = replica(redis.url(), "{concurrent: 1}", "")) {
      // A request's settlement is sent before its answer, on the connection the next reservation
      // takes: Redis frees its slot first.
      assertThat(admittedOneAfterAnother(replica, 20)).isEqualTo(20);
      JsonNode key =
          GatewayHarness.json(
                  replica.get("/v1/usage", "authorization", "Bearer " + ServerApiIT.TEAM_KEY))
              .path("scopes")
              .get(0);
      assertThat(key.path("in_flight").asInt()).as(key.toString()).isZero();
    }
  }

  @Test
  void aSoftThresholdCrossedOnEitherReplicaAlertsOnce() throws Exception {
    String limits = "teams: {platform: {budget: {usd: 0.0001, period: daily, soft: 0.5}}}";
    try (RedisServer own = new RedisServer(dir); // the team's budget, unspent
        GatewayHarness a = replica(own.url(), "{}", limits);
        GatewayHarness b = replica(own.url(), "{}", limits)) {
      int admitted = 0;
      for (int i = 0; i < 10; i++) {
        GatewayHarness replica = i % 2 == 0 ? a : b;
        if (replica
                .post(
                    "/v1/chat/completions", BODY, "authorization", "Bearer " + ServerApiIT.TEAM_KEY)
                .statusCode()
            == 200) {
          admitted++;
        }
      }
      assertThat(admitted).isBetween(1, 4);
      // The alert comes with Redis's answer to the settlement, after the request's own answer.
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (a.alerts().size() + b.alerts().size() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      List<BudgetAlert> alerts = new ArrayList<>(a.alerts());
      alerts.addAll(b.alerts());
      assertThat(alerts).hasSize(1);
      assertThat(alerts.get(0).scope().id()).isEqualTo("team:platform");
      assertThat(alerts.get(0).spentUsd()).isGreaterThanOrEqualTo(0.00005);
      assertThat(alerts.get(0).budgetUsd()).isEqualTo(0.0001);
    }
  }

  private static int admittedOneAfterAnother(GatewayHarness replica, int requests)
      throws Exception {
    int admitted = 0;
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> answer =
          replica.post(
              "/v1/chat/completions", BODY, "authorization", "Bearer " + ServerApiIT.TEAM_KEY);
      if (answer.statusCode() == 200) {
        admitted++;
      } else {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(429);
      }
    }
    return admitted;
  }

  @Test
  void aRedisThatIsGoneFailsClosedWithA503NamingItOrOpenWhereTheScopeSaysSo() throws Exception {
    try (RedisServer own = new RedisServer(dir);
        GatewayHarness closed = replica(own.url(), "{rpm: 100}", "lease-ttl: 1m");
        GatewayHarness open = replica(own.url(), "{rpm: 100, fail-open: true}", "lease-ttl: 1m")) {
      HttpResponse<String> ok =
          closed.post(
              "/v1/chat/completions", BODY, "authorization", "Bearer " + ServerApiIT.TEAM_KEY);
      assertThat(ok.statusCode()).isEqualTo(200);
      own.close();
      HttpResponse<String> refused =
          closed.post(
              "/v1/chat/completions", BODY, "authorization", "Bearer " + ServerApiIT.TEAM_KEY);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(GatewayHarness.json(refused).path("error").path("code").asText())
          .isEqualTo("limit_state_unavailable");
      assertThat(GatewayHarness.json(refused).path("error").path("message").asText())
          .contains("Redis");
      HttpResponse<String> unchecked =
          open.post(
              "/v1/chat/completions", BODY, "authorization", "Bearer " + ServerApiIT.TEAM_KEY);
      assertThat(unchecked.statusCode()).isEqualTo(200);
      assertThat(unchecked.headers().firstValue("x-signalbox-limits"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("unchecked"));
      assertThat(open.trace(unchecked).path("flags").toString())
          .contains("limits:unchecked key:team-a state store unreachable, failing open");
    }
  }
}
