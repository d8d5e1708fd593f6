package dev.signalbox.server;

import static dev.signalbox.server.FaultMatrixIT.CHUNK;
import static dev.signalbox.server.FaultMatrixIT.FINISH;
import static dev.signalbox.testing.ScriptedUpstreamServer.json;
import static dev.signalbox.testing.ScriptedUpstreamServer.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
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
 * A cascade route on the real server with real OpenAI-compatible upstreams: the cheap model is
 * asked without streaming and for log-probabilities, its answer is checked, and the strong model
 * (streaming when the client streams) answers only what fails.
 */
@Timeout(30)
class CascadeIT {
  ScriptedUpstreamServer cheap;
  ScriptedUpstreamServer strong;
  GatewayHarness gateway;

  @BeforeEach
  void start() throws Exception {
    cheap = new ScriptedUpstreamServer(json(500, "{\"error\":{\"message\":\"unscripted\"}}"));
    strong = new ScriptedUpstreamServer(json(500, "{\"error\":{\"message\":\"unscripted\"}}"));
    gateway =
        new GatewayHarness(
            """
            deployments:
              - {name: cheap-1, provider: openai, base-url: '%s'}
              - {name: strong-1, provider: openai, base-url: '%s'}
            models:
              - {name: cheap, deployments: [cheap-1], pricing: {input: 1, output: 2}}
              - {name: strong, deployments: [strong-1], pricing: {input: 10, output: 30}}
            routes:
              - name: careful
                policy: cascade
                models: [strong, cheap]
                cascade:
                  checks:
                    - regex: 'answer: \\w+'
                    - logprobs: {min-mean: -0.7}
            """
                .formatted(cheap.baseUrl(), strong.baseUrl()));
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    cheap.close();
    strong.close();
  }

  private static String completion(String text, double... logprobs) {
    StringBuilder tokens = new StringBuilder();
    for (double lp : logprobs) {
      tokens
          .append(tokens.isEmpty() ? "" : ",")
          .append("{\"token\":\"t\",\"logprob\":")
          .append(lp)
          .append(",\"bytes\":null,\"top_logprobs\":[]}");
    }
    return "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
               + "\"content\":\""
        + text
        + "\"},\"logprobs\":{\"content\":["
        + tokens
        + "]},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":4,\"total_tokens\":14}}";
  }

  private static List<String> verdicts(JsonNode trace) {
    List<String> verdicts = new ArrayList<>();
    trace
        .path("cascade")
        .forEach(
            step ->
                verdicts.add(step.path("model").asText() + ":" + step.path("verdict").asText()));
    return verdicts;
  }

  private static String answer(HttpResponse<String> response, boolean stream) throws Exception {
    if (!stream) {
      return GatewayHarness.json(response)
          .path("choices")
          .get(0)
          .path("message")
          .path("content")
          .asText();
    }
    StringBuilder text = new StringBuilder();
    for (String event : response.body().split("\n\n")) {
      if (event.startsWith("data: {")) {
        text.append(
            Json.MAPPER
                .readTree(event.substring(6))
                .path("choices")
                .path(0)
                .path("delta")
                .path("content")
                .asText(""));
      }
    }
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
    return text.toString();
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aConfidentCheckedAnswerIsServedByTheCheapModelAlone(boolean stream) throws Exception {
    cheap.then(json(200, completion("answer: Paris", -0.1, -0.2, -0.05, -0.3)));
    HttpResponse<String> response = gateway.chat("careful", stream);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(answer(response, stream)).isEqualTo("answer: Paris");
    assertThat(response.headers().firstValue("x-signalbox-model")).contains("cheap");
    JsonNode sent = Json.MAPPER.readTree(cheap.requests().get(0).body());
    assertThat(sent.path("stream").asBoolean()).isFalse();
    assertThat(sent.path("logprobs").asBoolean()).isTrue();
    assertThat(strong.requests()).isEmpty();
    JsonNode trace = gateway.trace(response);
    assertThat(verdicts(trace)).containsExactly("cheap:accepted");
    assertThat(trace.path("cascade").get(0).path("checks").toString())
        .contains("logprobs: mean -0.1625 (min -0.7): pass");
    assertThat(trace.path("cost_usd").asDouble()).isCloseTo((10 * 1 + 4 * 2) / 1e6, within(1e-12));
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void anUnsureAnswerEscalatesAndOnlyTheFinalAnswerStreams(boolean stream) throws Exception {
    cheap.then(json(200, completion("answer: Lyon", -1.5, -2.0, -0.9, -1.1)));
    strong.then(
        stream
            ? sse(
                Duration.ofMillis(2),
                CHUNK.formatted("answer: "),
                CHUNK.formatted("Paris"),
                FINISH,
                "data:"
                    + " {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[],"
                    + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,\"total_tokens\":13}}",
                "data: [DONE]")
            : json(200, completion("answer: Paris")));
    HttpResponse<String> response = gateway.chat("careful", stream);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(answer(response, stream)).isEqualTo("answer: Paris");
    assertThat(response.headers().firstValue("x-signalbox-model")).contains("strong");
    assertThat(Json.MAPPER.readTree(strong.requests().get(0).body()).path("stream").asBoolean())
        .isEqualTo(stream);
    JsonNode trace = gateway.trace(response);
    assertThat(verdicts(trace)).containsExactly("cheap:escalated", "strong:final");
    assertThat(trace.path("cascade").get(0).path("checks").toString())
        .contains("logprobs: mean -1.375 (min -0.7): fail");
    long strongOutput = stream ? 3 : 4;
    assertThat(trace.path("cost_usd").asDouble())
        .isCloseTo((10 * 1 + 4 * 2) / 1e6 + (10 * 10 + strongOutput * 30) / 1e6, within(1e-12));
    assertThat(gateway.get("/metrics").body())
        .as("an escalation is no fallback")
        .contains("signalbox_cascade_escalations_total{model=\"cheap\",route=\"careful\"}")
        .doesNotContain("reason=\"ok\"");
  }
}
