package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import java.net.http.HttpResponse;
import java.time.Duration;
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
    HttpResponse<String> first = call(alice);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(gateway.trace(first).path("flags").toString())
        .as("the trace keeps whom the request spoke for, the user as a digest, for replay")
        .containsPattern("limits:subjects user=[0-9a-f]{16}\"")
        .doesNotContain("subjects user=alice");
    assertThat(call(bob).statusCode()).isEqualTo(200);
    HttpResponse<String> again = call(alice);
    assertThat(again.statusCode()).isEqualTo(429);
    assertThat(GatewayHarness.json(again).path("error").path("param").asText())
        .isEqualTo("user:alice");
  }

  @Test
  void aModelsOwnMaximumOutputCapsTheReservationAndLongPromptsPayTheLongContextPrices()
      throws Exception {
    gateway =
        new GatewayHarness(
            """
            auth:
              keys:
                - {name: team-a, key-sha256: %s, tenant: acme, limits: {budget: {usd: 1, period: daily}}}
            deployments:
              - name: fast
                provider: sim
                sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 1}, output-tokens: {median: 8, p99: 8}}
            models:
              - name: capped
                deployments: [fast]
                max-output-tokens: 100
                context-window: 200000
                pricing: {input: 1, output: 2, long-context: {above: 50, input: 10, output: 20}}
            routes:
              - {name: auto, models: [capped], policy: priority}
            """
                .formatted(ConfigReader.sha256(ServerApiIT.TEAM_KEY)));
    HttpResponse<String> agent = call(BODY.replace("\"max_tokens\":8", "\"max_tokens\":64000"));
    assertThat(agent.statusCode()).as(agent.body()).isEqualTo(200);
    JsonNode trace = gateway.trace(agent);
    long prompt = trace.path("usage").path("prompt_tokens").asLong();
    assertThat(trace.path("flags").toString())
        .as("the worst case is the model's 100 tokens, not the 64,000 asked")
        .contains(
            "limits:reserved key:team-a "
                + (prompt + 100)
                + String.format(
                    java.util.Locale.ROOT, " tokens $%.6f", (prompt * 1 + 100 * 2) / 1e6));

    String longPrompt = "word ".repeat(200);
    HttpResponse<String> long_ = call(BODY.replace("\"hi\"", "\"" + longPrompt + "\""));
    JsonNode longTrace = gateway.trace(long_);
    long longPromptTokens = longTrace.path("usage").path("prompt_tokens").asLong();
    long output = longTrace.path("usage").path("completion_tokens").asLong();
    assertThat(longPromptTokens).isGreaterThan(50);
    assertThat(longTrace.path("cost_usd").asDouble())
        .as("past 50 prompt tokens, every token at the long-context prices")
        .isCloseTo(
            (longPromptTokens * 10 + output * 20) / 1e6,
            org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void shrinkToFitSendsAShorterMaxTokensThatTheBudgetCanPayForInsteadOfRefusing() throws Exception {
    String answer =
        "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12}}";
    try (dev.signalbox.testing.ScriptedUpstreamServer upstream =
        new dev.signalbox.testing.ScriptedUpstreamServer(
            dev.signalbox.testing.ScriptedUpstreamServer.json(200, answer))) {
      String pool =
          """
          deployments:
            - {name: up, provider: openai, base-url: "%s", model: m}
          models:
            - {name: small, deployments: [up], pricing: {input: 1, output: 2}, context-window: 100000}
          routes:
            - {name: auto, models: [small], policy: priority}
          """
              .formatted(upstream.baseUrl());
      String asking = BODY.replace("\"max_tokens\":8", "\"max_tokens\":5000");
      // $0.0005 a day; 5,000 tokens at $2 a million would be $0.01.
      String keys =
          """
          auth:
            keys:
              - {name: team-a, key-sha256: %s, tenant: acme, limits: {budget: {usd: 0.0005, period: daily}}}
          """
              .formatted(ConfigReader.sha256(ServerApiIT.TEAM_KEY));
      gateway = new GatewayHarness(keys + pool);
      HttpResponse<String> refused = call(asking);
      assertThat(refused.statusCode()).as("without shrink-to-fit").isEqualTo(429);
      gateway.close();

      gateway = new GatewayHarness(keys + "limits: {shrink-to-fit: true}\n" + pool);
      HttpResponse<String> shrunk = call(asking);
      assertThat(shrunk.statusCode()).as(shrunk.body()).isEqualTo(200);
      JsonNode sent =
          dev.signalbox.core.wire.Json.MAPPER.readTree(
              upstream.requests().get(upstream.requests().size() - 1).body());
      long maxTokens = sent.path("max_tokens").asLong();
      assertThat(maxTokens).isBetween(64L, 250L);
      JsonNode trace = gateway.trace(shrunk);
      assertThat(trace.path("flags").toString())
          .contains("limits:shrunk max_tokens 5000 to " + maxTokens + " to fit the budget left");
      long prompt = trace.path("signals").path("prompt_tokens").asLong(0);
      assertThat(maxTokens * 2 + prompt).as("the worst case fits $0.0005").isLessThanOrEqualTo(500);
    }
  }

  private HttpResponse<String> call(String body, String... headers) throws Exception {
    List<String> all = new ArrayList<>(List.of("authorization", "Bearer " + ServerApiIT.TEAM_KEY));
    all.addAll(List.of(headers));
    return gateway.post("/v1/chat/completions", body, all.toArray(String[]::new));
  }

  @Test
  void eachSessionAndEachLimitedTagHasItsOwnAllowance() throws Exception {
    gateway("{}", "{per-session: {rpm: 1}, tags: {batch: {rpm: 1}}}");
    assertThat(call(BODY, "x-signalbox-session-id", "agent-1").statusCode()).isEqualTo(200);
    HttpResponse<String> again = call(BODY, "x-signalbox-session-id", "agent-1");
    assertThat(again.statusCode()).isEqualTo(429);
    assertThat(GatewayHarness.json(again).path("error").path("param").asText())
        .isEqualTo("session:agent-1");
    String inMetadata =
        BODY.replace("\"max_tokens\"", "\"metadata\":{\"session_id\":\"agent-2\"},\"max_tokens\"");
    assertThat(call(inMetadata).statusCode()).isEqualTo(200);
    assertThat(call(inMetadata).statusCode())
        .as("the same session, named in metadata")
        .isEqualTo(429);

    assertThat(call(BODY, "x-signalbox-tags", "nightly, batch").statusCode()).isEqualTo(200);
    HttpResponse<String> tagged = call(BODY, "x-signalbox-tags", "batch");
    assertThat(tagged.statusCode()).isEqualTo(429);
    assertThat(GatewayHarness.json(tagged).path("error").path("param").asText())
        .isEqualTo("tag:batch");
    assertThat(call(BODY, "x-signalbox-tags", "nightly").statusCode())
        .as("a tag with no limits counts against nothing")
        .isEqualTo(200);
    assertThat(call(BODY).statusCode()).as("no session, no tag").isEqualTo(200);
  }

  @Test
  void aStreamPastWhatWasReservedForItIsCutThereWhenLimitsCutStreams() throws Exception {
    // An upstream that ignores max_tokens: 40 one-word chunks for a request of at most 5 tokens.
    String[] events = new String[42];
    for (int i = 0; i < 40; i++) {
      events[i] =
          "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word\"}}]}";
    }
    events[40] =
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    events[41] = "data: [DONE]";
    try (dev.signalbox.testing.ScriptedUpstreamServer upstream =
        new dev.signalbox.testing.ScriptedUpstreamServer(
            dev.signalbox.testing.ScriptedUpstreamServer.sse(Duration.ZERO, events))) {
      gateway =
          new GatewayHarness(
              """
              auth:
                keys:
                  - {name: team-a, key-sha256: %s, tenant: acme, limits: {budget: {usd: 1, period: daily}}}
              limits: {cut-streams: true}
              deployments:
                - {name: up, provider: openai, base-url: "%s", model: m}
              models:
                - {name: small, deployments: [up], pricing: {input: 1, output: 2}}
              routes:
                - {name: auto, models: [small], policy: priority}
              """
                  .formatted(ConfigReader.sha256(ServerApiIT.TEAM_KEY), upstream.baseUrl()));
      HttpResponse<String> streamed =
          call(
              BODY.replace("\"max_tokens\":8", "\"max_tokens\":5")
                  .replace("{\"model\"", "{\"stream\":true,\"model\""));
      assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
      long words = streamed.body().lines().filter(line -> line.contains(" word")).count();
      assertThat(words).as("cut at the 5 tokens reserved").isEqualTo(5);
      assertThat(streamed.body()).contains("\"finish_reason\":\"length\"").endsWith("[DONE]\n\n");
      JsonNode trace = gateway.trace(streamed);
      assertThat(trace.path("flags").toString()).contains("limits:cut stream at 5 output tokens");
      assertThat(trace.path("usage").path("completion_tokens").asLong()).isEqualTo(5);
    }
  }
}
