package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** OpenAI's embeddings API on the real server: routing, fallback, pass-through, cost, refusals. */
@Timeout(30)
class EmbeddingsApiIT {
  private static final String SIM_POOL =
      """
      deployments:
        - {name: embedder, provider: sim, model: sim-embed}
        - {name: chatter, provider: sim, model: sim-chat}
      models:
        - {name: e, deployments: [embedder], capabilities: [embeddings], pricing: {input: 0.10}}
        - {name: c, deployments: [chatter]}
      routes:
        - {name: embed, models: [e], policy: priority}
        - {name: chat, models: [c], policy: priority}
        - {name: both, models: [c, e], policy: priority}
      """;

  private static final String UPSTREAM_ANSWER =
      """
      {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.6,0.8]},
       {"object":"embedding","index":1,"embedding":[1.0,0.0]}],
       "model":"text-embedding-3-small","usage":{"prompt_tokens":1000000,"total_tokens":1000000}}
      """;

  GatewayHarness gateway;

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  @Test
  void anOpenAiUpstreamGetsTheBodyAsSentAfterAFallbackAndItsAnswerIsCostedAndTraced()
      throws Exception {
    try (ScriptedUpstreamServer failing =
            new ScriptedUpstreamServer(ScriptedUpstreamServer.json(503, "{\"error\":{}}"));
        ScriptedUpstreamServer serving =
            new ScriptedUpstreamServer(ScriptedUpstreamServer.json(200, UPSTREAM_ANSWER))) {
      gateway =
          new GatewayHarness(
              """
              deployments:
                - {name: down, provider: openai, base-url: "%s", model: text-embedding-3-small}
                - {name: up, provider: openai, base-url: "%s", model: text-embedding-3-small}
              models:
                - {name: small, deployments: [down, up], capabilities: [embeddings], pricing: {input: 0.02}}
              routes:
                - {name: embed, models: [small], policy: priority}
              """
                  .formatted(failing.baseUrl(), serving.baseUrl()));
      String body =
          "{\"model\":\"embed\",\"input\":[\"first\",\"second\"],\"encoding_format\":\"float\","
              + "\"dimensions\":2,\"user\":\"u9\"}";
      HttpResponse<String> answer = gateway.post("/v1/embeddings", body);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(GatewayHarness.json(answer)).isEqualTo(Json.MAPPER.readTree(UPSTREAM_ANSWER));
      assertThat(failing.requests()).hasSize(1);
      ScriptedUpstreamServer.RecordedRequest sent = serving.requests().get(0);
      assertThat(sent.path()).isEqualTo("/v1/embeddings");
      JsonNode expected =
          Json.MAPPER.readTree(body.replace("\"embed\"", "\"text-embedding-3-small\""));
      assertThat(Json.MAPPER.readTree(sent.body())).isEqualTo(expected);

      JsonNode trace = gateway.trace(answer);
      assertThat(trace.path("flags"))
          .extracting(JsonNode::asText)
          .contains("ingress:openai-embeddings");
      assertThat(trace.path("outcome").asText()).isEqualTo("ok");
      assertThat(trace.path("attempts")).hasSize(2);
      assertThat(trace.path("attempts").get(1).path("deployment").asText()).isEqualTo("up");
      assertThat(trace.path("usage").path("prompt_tokens").asLong()).isEqualTo(1_000_000);
      assertThat(trace.path("cost_usd").asDouble()).isEqualTo(0.02);
    }
  }

  @Test
  void anUpstreamWithoutUsageIsCountedAndSaysSo() throws Exception {
    try (ScriptedUpstreamServer serving =
        new ScriptedUpstreamServer(
            ScriptedUpstreamServer.json(
                200, "{\"object\":\"list\",\"data\":[{\"index\":0,\"embedding\":[1]}]}"))) {
      gateway =
          new GatewayHarness(
              """
              deployments:
                - {name: up, provider: openai, base-url: "%s", model: m}
              models:
                - {name: small, deployments: [up], capabilities: [embeddings]}
              routes:
                - {name: embed, models: [small], policy: priority}
              """
                  .formatted(serving.baseUrl()));
      HttpResponse<String> answer =
          gateway.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"count these words\"}");
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      long counted = GatewayHarness.json(answer).path("usage").path("prompt_tokens").asLong();
      assertThat(counted).isPositive();
      JsonNode trace = gateway.trace(answer);
      assertThat(trace.path("usage").path("prompt_tokens").asLong()).isEqualTo(counted);
      assertThat(trace.path("usage").path("estimated").asBoolean()).isTrue();
    }
  }

  @Test
  void simulatedDeploymentsAnswerInFloatsOrBase64AndOnlyEmbeddingModelsServeEmbeddings()
      throws Exception {
    gateway = new GatewayHarness(SIM_POOL);
    HttpResponse<String> floats =
        gateway.post(
            "/v1/embeddings", "{\"model\":\"both\",\"input\":[\"a red apple\",\"green pears\"]}");
    assertThat(floats.statusCode()).as(floats.body()).isEqualTo(200);
    JsonNode data = GatewayHarness.json(floats).path("data");
    assertThat(data).hasSize(2);
    assertThat(data.get(0).path("embedding")).hasSize(384);
    assertThat(data.get(1).path("index").asInt()).isEqualTo(1);
    JsonNode trace = gateway.trace(floats);
    assertThat(trace.path("attempts").get(0).path("model").asText()).isEqualTo("e");
    assertThat(trace.path("candidates").get(0).path("excluded").asText())
        .isEqualTo("no embeddings");
    assertThat(trace.path("cost_usd").asDouble()).isPositive();

    HttpResponse<String> base64 =
        gateway.post(
            "/v1/embeddings",
            "{\"model\":\"embed\",\"input\":\"a red apple\",\"encoding_format\":\"base64\","
                + "\"dimensions\":8}");
    byte[] bytes =
        Base64.getDecoder()
            .decode(GatewayHarness.json(base64).path("data").get(0).path("embedding").asText());
    assertThat(bytes).hasSize(8 * 4);
    float[] sent = new float[8];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(sent);
    double norm = 0;
    for (float v : sent) {
      norm += v * v;
    }
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));

    HttpResponse<String> chatToEmbedder =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"embed\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(chatToEmbedder.statusCode()).isEqualTo(400);
    assertThat(chatToEmbedder.body()).contains("an embedding model");
    HttpResponse<String> embeddingsToChat =
        gateway.post("/v1/embeddings", "{\"model\":\"chat\",\"input\":\"hi\"}");
    assertThat(embeddingsToChat.statusCode()).isEqualTo(400);
    assertThat(embeddingsToChat.body()).contains("no embeddings");
  }

  @Test
  void badInputIsA400NamingTheFieldAndRoutesNothing() throws Exception {
    gateway = new GatewayHarness(SIM_POOL);
    String[][] cases = {
      {"{\"input\":\"x\"}", "model"},
      {"{\"model\":\"embed\"}", "input"},
      {"{\"model\":\"embed\",\"input\":[]}", "input"},
      {"{\"model\":\"embed\",\"input\":[\"ok\",\"\"]}", "input[1]"},
      {"{\"model\":\"embed\",\"input\":[[1,2,3]]}", "input[0]"},
      {"{\"model\":\"embed\",\"input\":\"x\",\"encoding_format\":\"int8\"}", "encoding_format"},
      {"{\"model\":\"embed\",\"input\":\"x\",\"dimensions\":0}", "dimensions"},
    };
    for (String[] c : cases) {
      HttpResponse<String> bad = gateway.post("/v1/embeddings", c[0]);
      assertThat(bad.statusCode()).as(c[0]).isEqualTo(400);
      JsonNode error = GatewayHarness.json(bad).path("error");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.path("param").asText()).as(c[0]).isEqualTo(c[1]);
    }
    assertThat(gateway.accessLog()).doesNotContain("\"route\"");
  }
}
