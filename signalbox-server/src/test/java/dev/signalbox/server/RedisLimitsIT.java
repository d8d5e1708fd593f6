package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.testing.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
      List<HttpResponse<String>> answers = burst(a, b);
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
