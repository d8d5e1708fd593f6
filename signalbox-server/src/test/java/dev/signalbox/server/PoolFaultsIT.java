package dev.signalbox.server;

import static dev.signalbox.server.FaultMatrixIT.CHUNK;
import static dev.signalbox.server.FaultMatrixIT.COMPLETION;
import static dev.signalbox.server.FaultMatrixIT.FINISH;
import static dev.signalbox.testing.ScriptedUpstreamServer.json;
import static dev.signalbox.testing.ScriptedUpstreamServer.sse;
import static dev.signalbox.testing.ScriptedUpstreamServer.stall;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pool's own defences against the real server, streaming and not: an open circuit is a traced
 * hop, a pool whose every circuit is open still tries one, and a stalled attempt is hedged.
 */
@Timeout(30)
class PoolFaultsIT {
  static final ScriptedUpstreamServer.Behaviour FAILURE =
      json(500, "{\"error\":{\"message\":\"boom\"}}");

  ScriptedUpstreamServer faulty;
  ScriptedUpstreamServer healthy;
  GatewayHarness gateway;

  @BeforeEach
  void start() throws Exception {
    faulty = new ScriptedUpstreamServer(FAILURE);
    healthy = new ScriptedUpstreamServer(json(200, COMPLETION));
    gateway =
        new GatewayHarness(
            """
            deployments:
              - name: faulty
                provider: openai
                base-url: '%s'
                first-token-timeout: 2s
                request-timeout: 2s
                breaker: {consecutive-failures: 2, cooldown: 10m}
              - {name: healthy, provider: openai, base-url: '%s'}
            models:
              - {name: pair, deployments: [faulty, healthy], pricing: {input: 1, output: 2}}
              - {name: solo, deployments: [faulty]}
            routes:
              - {name: auto, models: [pair], policy: priority, max-attempts: 2}
              - {name: only, models: [solo], policy: priority, max-attempts: 1}
              - {name: hedged, models: [pair], policy: priority, max-attempts: 2, hedge: {after: 100ms, max-share: 1}}
            """
                .formatted(faulty.baseUrl(), healthy.baseUrl()));
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    faulty.close();
    healthy.close();
  }

  private void healthyAnswers(boolean stream) {
    healthy.always(
        stream
            ? sse(
                Duration.ofMillis(2),
                CHUNK.formatted("fi"),
                CHUNK.formatted("ne"),
                FINISH,
                "data: [DONE]")
            : json(200, COMPLETION));
  }

  private static void assertAnswered(HttpResponse<String> response, boolean stream)
      throws Exception {
    assertThat(response.statusCode()).isEqualTo(200);
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
  }

  private static List<String> hops(JsonNode trace) {
    List<String> hops = new ArrayList<>();
    trace
        .path("attempts")
        .forEach(a -> hops.add(a.path("deployment").asText() + ":" + a.path("result").asText()));
    return hops;
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void anOpenCircuitGoesLastAndIsSkippedAsATracedHop(boolean stream) throws Exception {
    healthyAnswers(stream);
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response = gateway.chat("auto", stream);
      assertAnswered(response, stream);
      assertThat(hops(gateway.trace(response))).containsExactly("faulty:500", "healthy:ok");
    }
    HttpResponse<String> response = gateway.chat("auto", stream);
    assertAnswered(response, stream);
    assertThat(hops(gateway.trace(response))).containsExactly("healthy:ok");

    healthy.always(FAILURE);
    response = gateway.chat("auto", stream);
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(GatewayHarness.json(response).path("error").path("message").asText())
        .contains("pair@healthy [500", "pair@faulty [skipped: circuit open");
    // The skip spends no attempt: the route's second goes to healthy again.
    assertThat(hops(gateway.trace(response)))
        .containsExactly("healthy:500", "faulty:breaker_open", "healthy:500");
    assertThat(faulty.requests()).hasSize(2);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void whenEveryCircuitIsOpenTheLeastRecentlyFailedIsStillTried(boolean stream) throws Exception {
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response = gateway.chat("only", stream);
      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(GatewayHarness.json(response).path("error").path("message").asText())
          .contains("solo@faulty [500");
    }
    faulty.always(
        stream
            ? sse(
                Duration.ZERO, CHUNK.formatted("fi"), CHUNK.formatted("ne"), FINISH, "data: [DONE]")
            : json(200, COMPLETION));
    HttpResponse<String> response = gateway.chat("only", stream);
    assertAnswered(response, stream);
    JsonNode trace = gateway.trace(response);
    assertThat(trace.path("flags").toString()).contains("breaker-override");
    assertThat(hops(trace)).containsExactly("faulty:breaker_open", "faulty:ok");
    assertThat(faulty.requests()).hasSize(3);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aStalledFirstAttemptIsHedgedAndTheFirstAnswerWins(boolean stream) throws Exception {
    faulty.always(stall());
    healthyAnswers(stream);
    HttpResponse<String> response = gateway.chat("hedged", stream);
    assertAnswered(response, stream);
    assertThat(response.headers().firstValue("x-signalbox-deployment")).contains("healthy");
    JsonNode trace = gateway.trace(response);
    assertThat(trace.path("flags").toString()).contains("hedged");
    // The stalled attempt is cancelled, not left to its 2 s timeout.
    assertThat(hops(trace)).containsExactlyInAnyOrder("faulty:hedge_lost", "healthy:ok");
    assertThat(trace.path("outcome").asText()).isEqualTo("ok");
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void whenBothHedgedAttemptsFailTheClientGetsOneClearErrorNamingBoth(boolean stream)
      throws Exception {
    faulty.always(stall());
    healthy.always(FAILURE);
    HttpResponse<String> response = gateway.chat("hedged", stream);
    assertThat(response.statusCode()).isBetween(502, 504);
    String message = GatewayHarness.json(response).path("error").path("message").asText();
    assertThat(message).contains("pair@faulty [timeout", "pair@healthy [500");
    JsonNode trace = gateway.trace(response);
    assertThat(hops(trace)).contains("faulty:timeout", "healthy:500");
    assertThat(trace.path("outcome").asText()).isNotEqualTo("ok");
  }
}
