package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.net.IoLoops;
import dev.signalbox.testing.ScriptedUpstreamServer;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP API of the real server: auth, limits, errors in OpenAI's shape, metadata endpoints,
 * reload.
 */
@Timeout(30)
class ServerApiIT {
  static final String ADMIN_KEY = "sb-admin-secret";
  static final String TEAM_KEY = "sb-team-a-secret";
  static final String POOL =
      """
      deployments:
        - name: fast
          provider: sim
          sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 1}, output-tokens: {median: 8, p99: 8}}
        - name: slow
          provider: sim
          sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 30}, output-tokens: {median: 400, p99: 400}}
      models:
        - {name: small, deployments: [fast], pricing: {input: 1, output: 2}, capabilities: [tools]}
        - {name: endless, deployments: [slow]}
      routes:
        - {name: auto, models: [small], policy: priority}
        - {name: other, models: [small], policy: priority}
      """;

  GatewayHarness gateway;

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  private static String keyed() {
    return """
    server: {max-body-bytes: 2048}
    auth:
      admin-key-sha256: %s
      keys:
        - {name: team-a, key-sha256: %s, tenant: acme, routes: [auto]}
    """
            .formatted(ConfigReader.sha256(ADMIN_KEY), ConfigReader.sha256(TEAM_KEY))
        + POOL;
  }

  /** A config whose one model {@code m} is served by the scripted upstream. */
  private static String modelOn(ScriptedUpstreamServer upstream) {
    return """
    deployments:
      - {name: up, provider: openai, base-url: '%s'}
    models:
      - {name: m, deployments: [up]}
    """
        .formatted(upstream.baseUrl());
  }

  /** The build runs this class twice: on io_uring where the kernel allows it, and on NIO. */
  @Test
  void theServerRunsOnTheTransportThisProcessWasGiven() throws Exception {
    gateway = new GatewayHarness(keyed());
    boolean nioForced = Boolean.getBoolean("io.netty.transport.noNative");
    assertThat(IoLoops.transport().name())
        .isEqualTo(!nioForced && IoUring.isAvailable() ? "io_uring" : "nio");
    String body = "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(gateway.post("/v1/chat/completions", body).statusCode()).isEqualTo(401);
  }

  @Test
  void keysAreCheckedAndLimitTheirRoutes() throws Exception {
    gateway = new GatewayHarness(keyed());
    String body = "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<String> missing = gateway.post("/v1/chat/completions", body);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(GatewayHarness.json(missing).path("error").path("code").asText())
        .isEqualTo("missing_api_key");
    assertThat(
            gateway
                .post("/v1/chat/completions", body, "authorization", "Bearer wrong")
                .statusCode())
        .isEqualTo(401);
    HttpResponse<String> ok =
        gateway.post("/v1/chat/completions", body, "authorization", "Bearer " + TEAM_KEY);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(gateway.trace(ok).path("tenant").asText()).isEqualTo("acme");
    HttpResponse<String> forbidden =
        gateway.post(
            "/v1/chat/completions",
            body.replace("auto", "other"),
            "authorization",
            "Bearer " + TEAM_KEY);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(GatewayHarness.json(forbidden).path("error").path("code").asText())
        .isEqualTo("route_not_allowed");
    JsonNode models =
        GatewayHarness.json(gateway.get("/v1/models", "authorization", "Bearer " + TEAM_KEY));
    assertThat(models.path("data")).extracting(m -> m.path("id").asText()).containsExactly("auto");
  }

  @Test
  void modelsSayTheirContextWindowAndCapabilities() throws Exception {
    gateway =
        new GatewayHarness(
            POOL
                + """
                  - name: front
                    policy: rules
                    rules: [{name: long, prompt-tokens: {min: 100}, route: other}]
                    default: auto
                """);
    JsonNode data = GatewayHarness.json(gateway.get("/v1/models")).path("data");
    JsonNode front = null;
    JsonNode endless = null;
    for (JsonNode entry : data) {
      if (entry.path("id").asText().equals("front")) {
        front = entry;
      } else if (entry.path("id").asText().equals("endless")) {
        endless = entry;
      }
    }
    assertThat(front).isNotNull();
    // A rules route: what the routes it delegates to can serve.
    assertThat(front.path("context_window").asInt()).isEqualTo(8192);
    assertThat(front.path("capabilities")).extracting(JsonNode::asText).containsExactly("tools");
    assertThat(endless).isNotNull();
    assertThat(endless.path("capabilities")).isEmpty();
  }

  @Test
  void aRuleCannotDelegateAKeyIntoARouteItMayNotUse() throws Exception {
    gateway =
        new GatewayHarness(
            """
            auth:
              keys:
                - {name: team-a, key-sha256: %s, routes: [auto, front]}
            """
                    .formatted(ConfigReader.sha256(TEAM_KEY))
                + POOL
                + """
                  - name: front
                    policy: rules
                    rules: [{name: premium, header: {name: x-tier, value: premium}, route: other}]
                    default: auto
                """);
    String body = "{\"model\":\"front\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(
            gateway
                .post("/v1/chat/completions", body, "authorization", "Bearer " + TEAM_KEY)
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> escalated =
        gateway.post(
            "/v1/chat/completions",
            body,
            "authorization",
            "Bearer " + TEAM_KEY,
            "x-tier",
            "premium");
    assertThat(escalated.statusCode()).isEqualTo(403);
    JsonNode error = GatewayHarness.json(escalated).path("error");
    assertThat(error.path("code").asText()).isEqualTo("route_not_allowed");
    assertThat(error.path("message").asText()).contains("'front'").contains("'other'");
    assertThat(gateway.trace(escalated).path("routes"))
        .extracting(JsonNode::asText)
        .containsExactly("front", "other");

    HttpResponse<String> unknown =
        gateway.post(
            "/v1/chat/completions",
            body.replace("front", "x".repeat(5_000)),
            "authorization",
            "Bearer " + TEAM_KEY);
    assertThat(unknown.statusCode()).isEqualTo(404);
    String message = GatewayHarness.json(unknown).path("error").path("message").asText();
    assertThat(message)
        .contains("(5000 characters)")
        .contains("routes: auto, front;")
        .doesNotContain("other")
        .doesNotContain("small");
    assertThat(message.length()).isLessThan(400);
    assertThat(gateway.trace(unknown).path("requested_model").asText()).hasSizeLessThan(300);
    assertThat(gateway.accessLog()).hasSizeLessThan(4_000);
  }

  @Test
  void anOversizedBodyIs413AndMalformedJsonIs400() throws Exception {
    gateway = new GatewayHarness(keyed());
    HttpResponse<String> large =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(4_000)
                + "\"}]}",
            "authorization",
            "Bearer " + TEAM_KEY);
    assertThat(large.statusCode()).isEqualTo(413);
    assertThat(GatewayHarness.json(large).path("error").path("message").asText())
        .contains("limit of 2048 bytes");
    HttpResponse<String> bad =
        gateway.post("/v1/chat/completions", "{\"model\":", "authorization", "Bearer " + TEAM_KEY);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(GatewayHarness.json(bad).path("error").path("code").asText())
        .isEqualTo("invalid_json");
  }

  @Test
  void otherPathsAre404InOpenAiShape() throws Exception {
    gateway = new GatewayHarness(POOL);
    HttpResponse<String> response = gateway.post("/v1/images/generations", "{}");
    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode error = GatewayHarness.json(response).path("error");
    assertThat(error.path("message").asText())
        .startsWith("Unknown request URL: POST /v1/images/generations.");
    assertThat(error.has("param")).isTrue();
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void answersCarryTheRoutingHeadersAndMetricsCountThem() throws Exception {
    gateway = new GatewayHarness(POOL);
    HttpResponse<String> response = gateway.chat("auto", false);
    assertThat(response.headers().firstValue("x-signalbox-route")).contains("auto");
    assertThat(response.headers().firstValue("x-signalbox-model")).contains("small");
    assertThat(response.headers().firstValue("x-signalbox-deployment")).contains("fast");
    assertThat(response.headers().firstValue("x-signalbox-attempts")).contains("1");
    double cost =
        Double.parseDouble(response.headers().firstValue("x-signalbox-cost-usd").orElseThrow());
    assertThat(cost)
        .isEqualTo(
            gateway.trace(response).path("cost_usd").asDouble(),
            org.assertj.core.data.Offset.offset(1e-8))
        .isPositive();
    assertThat(gateway.get("/health").body()).contains("ok");
    assertThat(gateway.get("/ready").statusCode()).isEqualTo(200);
    String metrics = gateway.get("/metrics").body();
    assertThat(metrics)
        .contains(
            "signalbox_requests_total{deployment=\"fast\",model=\"small\",outcome=\"ok\",route=\"auto\"}"
                + " 1.0",
            "signalbox_tokens_total",
            "signalbox_cost_usd_total",
            "signalbox_trace_queue_depth",
            "signalbox_time_to_first_token_seconds_bucket",
            "signalbox_trace_dropped_total{reason=\"queue_full\"} 0.0");
  }

  @Test
  void streamsSseWithAFinalUsageChunkWhenAskedFor() throws Exception {
    gateway = new GatewayHarness(POOL);
    HttpResponse<String> response =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"auto\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(response.headers().firstValue("content-type")).contains("text/event-stream");
    String[] events = response.body().split("\n\n");
    assertThat(events).hasSize(8 + 1 + 1 + 1);
    assertThat(events[events.length - 2])
        .contains("\"choices\":[]", "\"usage\":{\"prompt_tokens\":");
    assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
    assertThat(gateway.trace(response).path("usage").path("completion_tokens").asInt())
        .isEqualTo(8);
  }

  @Test
  void reloadNeedsTheAdminKeyAndRefusesAnInvalidFile() throws Exception {
    gateway = new GatewayHarness(keyed());
    assertThat(
            gateway.post("/admin/reload", "", "authorization", "Bearer " + TEAM_KEY).statusCode())
        .isEqualTo(401);
    Files.writeString(
        gateway.configFile,
        keyed()
            .replace(
                "- {name: other, models: [small], policy: priority}",
                "- {name: other, models: [missing]}"));
    HttpResponse<String> refused =
        gateway.post("/admin/reload", "", "authorization", "Bearer " + ADMIN_KEY);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(GatewayHarness.json(refused).path("error").path("problems").get(0).asText())
        .isEqualTo("routes[1].models[0]: unknown model 'missing' (known: small, endless)");
    String before = gateway.gateway.config().hash();
    Files.writeString(
        gateway.configFile, keyed().replace("routes: [auto]", "routes: [auto, other]"));
    HttpResponse<String> reloaded =
        gateway.post("/admin/reload", "", "authorization", "Bearer " + ADMIN_KEY);
    assertThat(reloaded.statusCode()).isEqualTo(200);
    assertThat(gateway.gateway.config().hash()).isNotEqualTo(before);
    HttpResponse<String> nowAllowed =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"other\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "authorization",
            "Bearer " + TEAM_KEY);
    assertThat(nowAllowed.statusCode()).isEqualTo(200);
  }

  @Test
  void thePoolShowsEveryDeploymentsLiveStateToTheAdminOnly() throws Exception {
    gateway = new GatewayHarness(keyed());
    HttpResponse<String> ok =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "authorization",
            "Bearer " + TEAM_KEY);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(gateway.get("/admin/pool", "authorization", "Bearer " + TEAM_KEY).statusCode())
        .isEqualTo(401);
    HttpResponse<String> pool = gateway.get("/admin/pool", "authorization", "Bearer " + ADMIN_KEY);
    assertThat(pool.statusCode()).isEqualTo(200);
    JsonNode deployments = GatewayHarness.json(pool).path("deployments");
    assertThat(deployments.path("fast").path("in_flight").asLong()).isZero();
    assertThat(deployments.path("fast").path("breaker").asText()).isEqualTo("closed");
    assertThat(deployments.path("fast").path("ttft_ms").isNumber())
        .as("measured by the request just served")
        .isTrue();
    assertThat(deployments.path("slow").path("ttft_ms").isNull())
        .as("never used: no measurement yet")
        .isTrue();
  }

  @Test
  void withoutAnAdminKeyTheAdminApiIsDisabled() throws Exception {
    gateway = new GatewayHarness(POOL);
    HttpResponse<String> response = gateway.post("/admin/reload", "");
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(GatewayHarness.json(response).path("error").path("code").asText())
        .isEqualTo("admin_disabled");
  }

  @Test
  void aWholeAnswerReachesTheClientAsTheUpstreamSentItUnlessTheGatewayAddsItsUsage()
      throws Exception {
    String asSent =
        "{ \"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"model\": \"up-model\","
            + " \"system_fingerprint\": \"fp_1\", \"created\": 1.7e9,\n"
            + " \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\":"
            + " \"caf\\u00e9\"}, \"finish_reason\": \"stop\"}], \"usage\": {\"prompt_tokens\": 9,"
            + " \"completion_tokens\": 2, \"total_tokens\": 11} }";
    String withoutUsage =
        "{\"id\": \"chatcmpl-2\", \"object\": \"chat.completion\", \"choices\": [{\"index\": 0,"
            + " \"message\": {\"role\": \"assistant\", \"content\": \"hello there\"},"
            + " \"finish_reason\": \"stop\"}]}";
    try (ScriptedUpstreamServer upstream =
        new ScriptedUpstreamServer(ScriptedUpstreamServer.json(200, withoutUsage))
            .then(ScriptedUpstreamServer.json(200, asSent))) {
      gateway = new GatewayHarness(modelOn(upstream));
      HttpResponse<String> relayed = gateway.chat("m", false);
      assertThat(relayed.statusCode()).isEqualTo(200);
      assertThat(relayed.body()).isEqualTo(asSent);
      assertThat(gateway.trace(relayed).path("usage").path("prompt_tokens").asLong()).isEqualTo(9);

      HttpResponse<String> counted = gateway.chat("m", false);
      JsonNode usage = GatewayHarness.json(counted).path("usage");
      assertThat(usage.path("completion_tokens").asLong()).isEqualTo(2);
      assertThat(
              GatewayHarness.json(counted)
                  .path("choices")
                  .get(0)
                  .path("message")
                  .path("content")
                  .asText())
          .isEqualTo("hello there");
    }
  }

  @Test
  void aClientThatDisconnectsMidStreamCancelsTheUpstreamCall() throws Exception {
    try (ScriptedUpstreamServer upstream =
        new ScriptedUpstreamServer(
            ScriptedUpstreamServer.sse(
                Duration.ofMillis(20),
                java.util.stream.IntStream.range(0, 500)
                    .mapToObj(i -> FaultMatrixIT.CHUNK.formatted("t" + i))
                    .toArray(String[]::new)))) {
      gateway = new GatewayHarness(modelOn(upstream));
      String id;
      try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
        sendStreamingChat(socket, "m");
        String head = readUntil(socket.getInputStream(), "\"t0\"");
        id =
            head.lines()
                .filter(l -> l.toLowerCase().startsWith("x-signalbox-request-id:"))
                .findFirst()
                .orElseThrow()
                .split(":")[1]
                .trim();
      }
      assertThat(upstream.awaitClientDisconnect(Duration.ofSeconds(10)))
          .as("the upstream saw the gateway hang up")
          .isTrue();
      JsonNode trace = awaitTrace(id);
      assertThat(trace.path("outcome").asText()).isEqualTo("client_cancelled");
      assertThat(trace.path("attempts").get(0).path("result").asText()).isEqualTo("cancelled");
    }
  }

  @Test
  void beyondMaxInFlightTheGatewayAnswers503WithRetryAfterAndCountsIt() throws Exception {
    gateway = new GatewayHarness("server: {max-in-flight: 1}\n" + POOL);
    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      sendStreamingChat(socket, "endless");
      readUntil(socket.getInputStream(), "data: ");

      HttpResponse<String> refused = gateway.chat("auto", false);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("retry-after")).contains("1");
      assertThat(refused.headers().firstValue("connection")).contains("close");
      JsonNode error = GatewayHarness.json(refused).path("error");
      assertThat(error.path("code").asText()).isEqualTo("overloaded");
      assertThat(error.path("type").asText()).isEqualTo("service_unavailable_error");
      assertThat(gateway.get("/metrics").body())
          .contains("signalbox_rejected_total{code=\"overloaded\",status=\"503\"} 1.0");
    }
  }

  private JsonNode awaitTrace(String id) throws Exception {
    gateway.events.awaitTrace(id, Duration.ofSeconds(10));
    return gateway.trace(id);
  }

  private static String readUntil(InputStream in, String marker) throws Exception {
    StringBuilder seen = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      seen.append((char) b);
      if (seen.indexOf(marker) >= 0) {
        return seen.toString();
      }
    }
    throw new AssertionError("stream ended before " + marker + ": " + seen);
  }

  /**
   * A streamed chat request written on a raw socket, so the test decides when the client goes away.
   */
  private static void sendStreamingChat(Socket socket, String model) throws IOException {
    String body =
        "{\"model\":\""
            + model
            + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /v1/chat/completions HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: "
                + body.length()
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
