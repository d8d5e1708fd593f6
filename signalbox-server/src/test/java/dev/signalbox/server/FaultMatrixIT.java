package dev.signalbox.server;

import static dev.signalbox.testing.ScriptedUpstreamServer.json;
import static dev.signalbox.testing.ScriptedUpstreamServer.resetBeforeHeaders;
import static dev.signalbox.testing.ScriptedUpstreamServer.sse;
import static dev.signalbox.testing.ScriptedUpstreamServer.sseThenReset;
import static dev.signalbox.testing.ScriptedUpstreamServer.sseThenStall;
import static dev.signalbox.testing.ScriptedUpstreamServer.stall;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each upstream fault, streaming and not, against the real server: with a healthy second deployment
 * the client gets a right answer and the trace names the failed hop; with none, a clear error.
 */
@Timeout(30)
class FaultMatrixIT {
  static final String CHUNK =
      "data:"
          + " {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}";
  static final String FINISH =
      "data:"
          + " {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
  static final String COMPLETION =
      "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}";

  ScriptedUpstreamServer faulty;
  ScriptedUpstreamServer healthy;
  GatewayHarness gateway;
  int closedPort;

  @BeforeEach
  void start() throws Exception {
    faulty = new ScriptedUpstreamServer(json(200, COMPLETION));
    healthy = new ScriptedUpstreamServer(json(200, COMPLETION));
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
  }

  void gateway(String faultyUrl) throws Exception {
    gateway =
        new GatewayHarness(
            """
            deployments:
              - {name: faulty, provider: openai, base-url: '%s', connect-timeout: 1s, first-token-timeout: 500ms, idle-timeout: 500ms, request-timeout: 1s}
              - {name: healthy, provider: openai, base-url: '%s'}
            models:
              - {name: pair, deployments: [faulty, healthy], pricing: {input: 1, output: 2}}
              - {name: solo, deployments: [faulty]}
            routes:
              - {name: auto, models: [pair], policy: priority, max-attempts: 2}
            """
                .formatted(faultyUrl, healthy.baseUrl()));
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    faulty.close();
    healthy.close();
  }

  record Fault(
      String name,
      ScriptedUpstreamServer.Behaviour behaviour,
      String label,
      int soloStatus,
      boolean refused,
      String retryAfter) {
    Fault(
        String name,
        ScriptedUpstreamServer.Behaviour behaviour,
        String label,
        int soloStatus,
        boolean refused) {
      this(name, behaviour, label, soloStatus, refused, "");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> faultsBeforeTheFirstByte() {
    List<Fault> faults =
        List.of(
            new Fault("refused", null, "connect", 502, true),
            new Fault("reset before headers", resetBeforeHeaders(), "reset", 502, false),
            new Fault("500", json(500, "{\"error\":{\"message\":\"boom\"}}"), "500", 502, false),
            new Fault("502", json(502, "bad gateway"), "502", 502, false),
            new Fault(
                "503", json(503, "{\"error\":{\"message\":\"overloaded\"}}"), "503", 502, false),
            new Fault(
                "429 with Retry-After",
                json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "30"),
                "429",
                429,
                false,
                "30"),
            new Fault("timeout before the first token", stall(), "timeout", 504, false));
    List<Arguments> cases = new ArrayList<>();
    for (Fault f : faults) {
      cases.add(Arguments.of(f, false));
      cases.add(Arguments.of(f, true));
    }
    return cases.stream();
  }

  private String faultyUrl(Fault fault) {
    if (fault.refused()) {
      return "http://127.0.0.1:" + closedPort + "/v1";
    }
    faulty.always(fault.behaviour());
    return faulty.baseUrl();
  }

  @ParameterizedTest(name = "{0}, stream={1}")
  @MethodSource("faultsBeforeTheFirstByte")
  void withASecondDeploymentTheClientGetsTheAnswer(Fault fault, boolean stream) throws Exception {
    healthy.always(
        stream
            ? sse(
                Duration.ofMillis(2),
                CHUNK.formatted("fi"),
                CHUNK.formatted("ne"),
                FINISH,
                "data: [DONE]")
            : json(200, COMPLETION));
    gateway(faultyUrl(fault));
    HttpResponse<String> response = gateway.chat("auto", stream);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-signalbox-deployment")).contains("healthy");
    assertThat(response.headers().firstValue("x-signalbox-attempts")).contains("2");
    if (stream) {
      assertThat(response.body())
          .contains("\"content\":\"fi\"", "\"content\":\"ne\"")
          .endsWith("data: [DONE]\n\n");
    } else {
      assertThat(
              GatewayHarness.json(response)
                  .path("choices")
                  .get(0)
                  .path("message")
                  .path("content")
                  .asText())
          .isEqualTo("fine");
    }
    JsonNode trace = gateway.trace(response);
    assertThat(trace.path("outcome").asText()).isEqualTo("ok");
    assertThat(trace.path("attempts")).hasSize(2);
    assertThat(trace.path("attempts").get(0).path("deployment").asText()).isEqualTo("faulty");
    assertThat(trace.path("attempts").get(0).path("result").asText()).isEqualTo(fault.label());
    assertThat(trace.path("attempts").get(0).path("committed").asBoolean()).isFalse();
    assertThat(trace.path("attempts").get(1).path("result").asText()).isEqualTo("ok");
  }

  @ParameterizedTest(name = "{0}, stream={1}")
  @MethodSource("faultsBeforeTheFirstByte")
  void withOneDeploymentTheClientGetsAClearError(Fault fault, boolean stream) throws Exception {
    gateway(faultyUrl(fault));
    HttpResponse<String> response = gateway.chat("solo", stream);
    assertThat(response.statusCode()).isEqualTo(fault.soloStatus());
    JsonNode error = GatewayHarness.json(response).path("error");
    assertThat(error.path("message").asText())
        .contains("for 'solo'", "solo@faulty [" + fault.label());
    assertThat(error.path("type").asText())
        .isIn("upstream_error", "upstream_timeout_error", "rate_limit_error");
    // A 429 with no fallback left reaches the client as the 429 it is, with the upstream's wait.
    if (fault.retryAfter().isEmpty()) {
      assertThat(response.headers().firstValue("retry-after")).isEmpty();
    } else {
      assertThat(error.path("code").asText()).isEqualTo("upstream_rate_limited");
      assertThat(response.headers().firstValue("retry-after")).contains(fault.retryAfter());
    }
    JsonNode trace = gateway.trace(response);
    assertThat(trace.path("outcome").asText())
        .isEqualTo(fault.soloStatus() == 504 ? "upstream_timeout" : "upstream_failed");
    assertThat(trace.path("attempts").size()).isGreaterThanOrEqualTo(1);
    assertThat(trace.path("error").asText()).isEqualTo(error.path("message").asText());
  }

  @Test
  void malformedJsonFallsBack() throws Exception {
    faulty.always(json(200, "{\"choices\": [oops"));
    gateway(faulty.baseUrl());
    HttpResponse<String> response = gateway.chat("auto", false);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(gateway.trace(response).path("attempts").get(0).path("result").asText())
        .isEqualTo("malformed");
  }

  @Test
  void malformedSseFallsBack() throws Exception {
    faulty.always(sse(Duration.ZERO, "data: {oops"));
    healthy.always(sse(Duration.ZERO, CHUNK.formatted("ok"), FINISH, "data: [DONE]"));
    gateway(faulty.baseUrl());
    HttpResponse<String> response = gateway.chat("auto", true);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"content\":\"ok\"");
    assertThat(gateway.trace(response).path("attempts").get(0).path("result").asText())
        .isEqualTo("malformed");
  }

  @Test
  void aStallMidStreamEndsTheStreamWithAnErrorEventAndNoRetry() throws Exception {
    faulty.always(sseThenStall(CHUNK.formatted("par"), CHUNK.formatted("tial")));
    gateway(faulty.baseUrl());
    HttpResponse<String> response = gateway.chat("auto", true);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains(
            "\"content\":\"par\"",
            "\"content\":\"tial\"",
            "\"code\":\"stream_broken\"",
            "no chunk within 500 ms")
        .doesNotContain("[DONE]");
    assertThat(healthy.requests()).isEmpty();
    JsonNode trace = gateway.trace(response);
    assertThat(trace.path("outcome").asText()).isEqualTo("stream_broken");
    assertThat(trace.path("attempts")).hasSize(1);
    assertThat(trace.path("attempts").get(0).path("result").asText()).isEqualTo("timeout");
    assertThat(trace.path("attempts").get(0).path("committed").asBoolean()).isTrue();
    assertChargedForWhatWasStreamed(trace);
  }

  /** A stream that broke after text reached the client is charged its prompt and that text. */
  private static void assertChargedForWhatWasStreamed(JsonNode trace) {
    assertThat(trace.path("usage").path("completion_tokens").asLong()).isPositive();
    assertThat(trace.path("usage").path("prompt_tokens").asLong()).isPositive();
    assertThat(trace.path("usage").path("estimated").asBoolean()).isTrue();
    assertThat(trace.path("cost_usd").asDouble()).isPositive();
  }

  @Test
  void garbageAfterThreeChunksEndsTheStreamAndChargesWhatWasStreamed() throws Exception {
    faulty.always(
        sse(
            Duration.ZERO,
            CHUNK.formatted("one"),
            CHUNK.formatted(" two"),
            CHUNK.formatted(" three"),
            "data: {oops"));
    gateway(faulty.baseUrl());
    HttpResponse<String> response = gateway.chat("auto", true);
    assertThat(response.body()).contains("\"content\":\" three\"", "stream_broken");
    JsonNode trace = gateway.trace(response);
    assertThat(trace.path("outcome").asText()).isEqualTo("stream_broken");
    assertChargedForWhatWasStreamed(trace);
  }

  @Test
  void anUpstreamWithoutUsageGivesTheClientTheUsageTheTraceRecords() throws Exception {
    faulty.always(
        sse(Duration.ZERO, CHUNK.formatted("fi"), CHUNK.formatted("ne"), FINISH, "data: [DONE]"));
    gateway(faulty.baseUrl());
    HttpResponse<String> response =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"auto\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there, how are you\"}]}");
    String usageLine =
        response.body().lines().filter(l -> l.contains("\"usage\"")).findFirst().orElseThrow();
    JsonNode usage = Json.MAPPER.readTree(usageLine.substring(6)).path("usage");
    JsonNode trace = gateway.trace(response);
    assertThat(usage.path("prompt_tokens").asLong())
        .isPositive()
        .isEqualTo(trace.path("usage").path("prompt_tokens").asLong());
    assertThat(usage.path("completion_tokens").asLong())
        .isEqualTo(trace.path("usage").path("completion_tokens").asLong());
    assertThat(usage.path("estimated").asBoolean()).isTrue();
    assertThat(trace.path("usage").path("estimated").asBoolean()).isTrue();

    faulty.always(
        json(
            200,
            "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"},"
                + "\"finish_reason\":\"stop\"}]}"));
    HttpResponse<String> plain = gateway.chat("auto", false);
    JsonNode plainUsage = GatewayHarness.json(plain).path("usage");
    assertThat(plainUsage.path("prompt_tokens").asLong())
        .isPositive()
        .isEqualTo(gateway.trace(plain).path("usage").path("prompt_tokens").asLong());
    assertThat(plainUsage.path("estimated").asBoolean()).isTrue();
  }

  @Test
  void aCutMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
    faulty.always(sseThenReset(CHUNK.formatted("par")));
    gateway(faulty.baseUrl());
    HttpResponse<String> response = gateway.chat("auto", true);
    assertThat(response.body())
        .contains("\"content\":\"par\"", "\"type\":\"upstream_error\"")
        .doesNotContain("[DONE]");
    JsonNode trace = gateway.trace(response);
    assertThat(trace.path("outcome").asText()).isEqualTo("stream_broken");
    assertThat(trace.path("attempts").get(0).path("result").asText()).isEqualTo("reset");
    assertChargedForWhatWasStreamed(trace);
  }
}
