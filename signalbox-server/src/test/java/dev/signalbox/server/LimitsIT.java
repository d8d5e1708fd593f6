package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Keys, teams and end users under limits, on the real server: refusals that explain, usage. */
@Timeout(60)
class LimitsIT {
  private static final String BODY =
      "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  GatewayHarness gateway;

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  private void gateway(String keyLimits, String limits) throws Exception {
    gateway =
        new GatewayHarness(
            """
            auth:
              keys:
                - {name: team-a, key-sha256: %s, tenant: acme, team: platform, limits: %s}
            limits: %s
            """
                    .formatted(ConfigReader.sha256(ServerApiIT.TEAM_KEY), keyLimits, limits)
                + ServerApiIT.POOL);
  }

  private HttpResponse<String> call(String body) throws Exception {
    return gateway.post(
        "/v1/chat/completions", body, "authorization", "Bearer " + ServerApiIT.TEAM_KEY);
  }

  @Test
  void aKeyOverItsRateIsRefusedWithA429ThatSaysWhichScopeAndWhen() throws Exception {
    gateway("{rpm: 2}", "{}");
    HttpResponse<String> first = call(BODY);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).contains("2");
    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).contains("1");
    assertThat(call(BODY).statusCode()).isEqualTo(200);

    HttpResponse<String> refused = call(BODY);
    assertThat(refused.statusCode()).isEqualTo(429);
    JsonNode error = GatewayHarness.json(refused).path("error");
    assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.path("param").asText()).isEqualTo("key:team-a");
    assertThat(error.path("message").asText())
        .contains("key:team-a", "limit 2 requests per minute", "retry in");
    assertThat(refused.headers().firstValue("retry-after"))
        .hasValueSatisfying(s -> assertThat(Integer.parseInt(s)).isBetween(1, 30));
    assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
    JsonNode trace = gateway.trace(refused);
    assertThat(trace.path("outcome").asText()).isEqualTo("rate_limited");
    assertThat(trace.path("flags").toString())
        .contains("limits:refused key:team-a rate_limit_exceeded");
  }

  @Test
  void aTeamBudgetHoldsUnderTwoHundredConcurrentRequestsAndUsageShowsItsSpend() throws Exception {
    // Each request may cost its prompt and 8 tokens of output on 'small' ($1 and $2 per million):
    // about $0.00003; the team may spend $0.0005 a day.
    gateway("{}", "{teams: {platform: {budget: {usd: 0.0005, period: daily}}}}");
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    try (ExecutorService clients = Executors.newFixedThreadPool(32)) {
      for (int i = 0; i < 200; i++) {
        sent.add(
            clients.submit(
                () -> {
                  go.await();
                  return call(BODY);
                }));
      }
      go.countDown();
      int admitted = 0;
      double spent = 0;
      for (Future<HttpResponse<String>> f : sent) {
        HttpResponse<String> response = f.get();
        if (response.statusCode() == 200) {
          admitted++;
          spent += gateway.trace(response).path("cost_usd").asDouble();
        } else {
          assertThat(response.statusCode()).isEqualTo(429);
          assertThat(GatewayHarness.json(response).path("error").path("code").asText())
              .isEqualTo("budget_exceeded");
        }
      }
      assertThat(admitted).isBetween(1, 199);
      assertThat(spent).isLessThanOrEqualTo(0.0005);

      JsonNode usage =
          GatewayHarness.json(
              gateway.get("/v1/usage", "authorization", "Bearer " + ServerApiIT.TEAM_KEY));
      JsonNode team = usage.path("scopes").get(0);
      assertThat(team.path("scope").asText()).isEqualTo("team:platform");
      assertThat(team.path("limits").path("budget").path("usd").asDouble()).isEqualTo(0.0005);
      assertThat(team.path("spent_usd").asDouble())
          .isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(team.path("reserved_usd").asDouble()).isZero();
      assertThat(team.path("budget_resets_at").asText()).endsWith("T00:00:00Z");
    }
  }

  @Test
  void aBudgetPastItsSoftThresholdAlertsOnce() throws Exception {
    // About $0.00003 a request against $0.0001 a day, alerting at half.
    gateway("{budget: {usd: 0.0001, period: daily, soft: 0.5}}", "{}");
    int admitted = 0;
    while (call(BODY).statusCode() == 200) {
      admitted++;
    }
    assertThat(admitted).isBetween(1, 4);
    assertThat(gateway.alerts()).hasSize(1);
    assertThat(gateway.alerts().get(0).scope().id()).isEqualTo("key:team-a");
    assertThat(gateway.alerts().get(0).spentUsd()).isGreaterThanOrEqualTo(0.00005);
    assertThat(gateway.metrics.scrape())
        .contains("signalbox_budget_alerts_total{scope_kind=\"key\"} 1.0");
  }

  @Test
  void eachEndUserHasTheirOwnAllowance() throws Exception {
    gateway("{}", "{per-user: {rpm: 1}}");
    String alice = BODY.replace("\"max_tokens\"", "\"user\":\"alice\",\"max_tokens\"");
    String bob = BODY.replace("\"max_tokens\"", "\"user\":\"bob\",\"max_tokens\"");
    assertThat(call(alice).statusCode()).isEqualTo(200);
    assertThat(call(bob).statusCode()).isEqualTo(200);
    HttpResponse<String> again = call(alice);
    assertThat(again.statusCode()).isEqualTo(429);
    assertThat(GatewayHarness.json(again).path("error").path("param").asText())
        .isEqualTo("user:alice");
  }
}
