package dev.signalbox.core.upstream;

import static dev.signalbox.testing.ScriptedUpstreamServer.json;
import static dev.signalbox.testing.ScriptedUpstreamServer.sse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Anthropic Messages adapter against a scripted fake Anthropic server. */
@Timeout(20)
class AnthropicUpstreamTest {
  private static final String REQUEST =
      """
      {"model":"claude","max_tokens":300,"temperature":1.5,"stop":["END"],"tool_choice":"required","user":"u7",
       "tools":[{"type":"function","function":{"name":"weather","description":"weather by city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
       "messages":[
         {"role":"system","content":"be brief"},
         {"role":"user","content":[{"type":"text","text":"weather in Oslo?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,QUJD"}}]},
         {"role":"assistant","content":"checking","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
         {"role":"tool","tool_call_id":"toolu_1","content":"-3C"},
         {"role":"user","content":"and tomorrow?"}]}
      """;

  private ScriptedUpstreamServer server;

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private UpstreamReply send(boolean stream) throws InterruptedException {
    return send(stream, Map.of());
  }

  private UpstreamReply send(boolean stream, Map<String, String> clientHeaders)
      throws InterruptedException {
    DeploymentSpec spec =
        TestConfigs.reader(Map.of("ANTHROPIC_TEST_KEY", "sk-ant"))
            .read(
                "deployments:\n  - {name: a, provider: anthropic, base-url: '"
                    + server.baseUrl()
                    + "', model: claude-x, api-key-env: ANTHROPIC_TEST_KEY}\n"
                    + "models:\n  - {name: claude, deployments: [a]}\n",
                "t")
            .deployment("a");
    String json = stream ? REQUEST.replaceFirst("\\{", "{\"stream\":true,") : REQUEST;
    ChatRequest request = ChatRequestParser.parse(json.getBytes(StandardCharsets.UTF_8));
    var upstream =
        new UpstreamFactory(
                TimeSource.SYSTEM,
                Map.of("ANTHROPIC_TEST_KEY", "sk-ant")::get,
                TestConfigs.tokens())
            .upstream(spec);
    return upstream.send(
        new UpstreamCall(
            request,
            "claude-x",
            Duration.ofSeconds(2),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            1,
            clientHeaders,
            Map.of()));
  }

  @Test
  void theClientsAnthropicVersionAndBetaFlagsReachTheUpstreamAndNothingElseOfItsHeaders()
      throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(
                200,
                "{\"id\":\"msg_1\",\"model\":\"claude-x\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"));
    send(
        false,
        Map.of(
            "anthropic-version", "2023-06-01",
            "anthropic-beta", "interleaved-thinking-2025-05-14",
            "x-api-key", "the-clients-gateway-key",
            "authorization", "Bearer the-clients-gateway-key"));
    ScriptedUpstreamServer.RecordedRequest sent = server.requests().get(0);
    assertThat(sent.headers())
        .containsEntry("anthropic-beta", "interleaved-thinking-2025-05-14")
        .containsEntry("anthropic-version", "2023-06-01")
        .containsEntry("x-api-key", "sk-ant")
        .doesNotContainKey("authorization");
  }

  @Test
  void mapsTheRequestToMessagesWithSystemToolsImagesAndToolResults() throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(
                200,
                "{\"id\":\"msg_1\",\"model\":\"claude-x\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"));
    send(false);
    ScriptedUpstreamServer.RecordedRequest sent = server.requests().get(0);
    assertThat(sent.path()).isEqualTo("/v1/messages");
    assertThat(sent.headers())
        .containsEntry("x-api-key", "sk-ant")
        .containsEntry("anthropic-version", "2023-06-01")
        .doesNotContainKey("authorization");
    JsonNode body = Json.MAPPER.readTree(sent.body());
    assertThat(body.path("model").asText()).isEqualTo("claude-x");
    assertThat(body.path("system").asText()).isEqualTo("be brief");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(300);
    assertThat(body.path("temperature").asDouble())
        .as("clamped to Anthropic's range")
        .isEqualTo(1.0);
    assertThat(body.path("stop_sequences").get(0).asText()).isEqualTo("END");
    assertThat(body.path("tool_choice").path("type").asText()).isEqualTo("any");
    assertThat(body.path("tools").get(0).path("input_schema").path("properties").has("city"))
        .isTrue();
    assertThat(body.path("metadata").path("user_id").asText()).isEqualTo("u7");
    JsonNode messages = body.path("messages");
    assertThat(messages).hasSize(4);
    assertThat(messages.get(0).path("content").get(1).path("source").path("media_type").asText())
        .isEqualTo("image/png");
    assertThat(messages.get(1).path("content").get(1).path("type").asText()).isEqualTo("tool_use");
    assertThat(messages.get(1).path("content").get(1).path("input").path("city").asText())
        .isEqualTo("Oslo");
    assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
    assertThat(messages.get(2).path("content").get(0).path("type").asText())
        .isEqualTo("tool_result");
    assertThat(messages.get(2).path("content").get(0).path("tool_use_id").asText())
        .isEqualTo("toolu_1");
  }

  @Test
  void mapsAToolUseAnswerBackWithCacheUsage() throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(
                200,
                """
                {"id":"msg_2","type":"message","model":"claude-x","role":"assistant",
                 "content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"toolu_9","name":"weather","input":{"city":"Oslo"}}],
                 "stop_reason":"tool_use","usage":{"input_tokens":20,"cache_read_input_tokens":100,"cache_creation_input_tokens":5,"output_tokens":12}}
                """));
    UpstreamReply.Completed completed = (UpstreamReply.Completed) send(false);
    JsonNode choice = completed.body().path("choices").get(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Let me look.");
    JsonNode call = choice.path("message").path("tool_calls").get(0);
    assertThat(call.path("id").asText()).isEqualTo("toolu_9");
    assertThat(
            Json.MAPPER
                .readTree(call.path("function").path("arguments").asText())
                .path("city")
                .asText())
        .isEqualTo("Oslo");
    assertThat(completed.usage()).isEqualTo(new Usage(125, 100, 12, false));
  }

  @Test
  void translatesEveryStreamEventIntoOpenAiChunks() throws Exception {
    server =
        new ScriptedUpstreamServer(
            sse(
                Duration.ofMillis(2),
                "event: message_start\n"
                    + "data:"
                    + " {\"type\":\"message_start\",\"message\":{\"id\":\"msg_3\",\"model\":\"claude-x\",\"usage\":{\"input_tokens\":30,\"cache_read_input_tokens\":10,\"output_tokens\":1}}}",
                "event: ping\ndata: {\"type\":\"ping\"}",
                "event: content_block_start\n"
                    + "data:"
                    + " {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "event: content_block_delta\n"
                    + "data:"
                    + " {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking\"}}",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
                "event: content_block_start\n"
                    + "data:"
                    + " {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_5\",\"name\":\"weather\",\"input\":{}}}",
                "event: content_block_delta\n"
                    + "data:"
                    + " {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":"
                    + " \"}}",
                "event: content_block_delta\n"
                    + "data:"
                    + " {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Oslo\\\"}\"}}",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}",
                "event: message_delta\n"
                    + "data:"
                    + " {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":25}}",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}"));
    ChunkStream stream = ((UpstreamReply.Streaming) send(true)).chunks();
    List<JsonNode> deltas = new ArrayList<>();
    Chunk c;
    while ((c = stream.next()) instanceof Chunk.Delta d) {
      deltas.add(d.json().path("choices").get(0));
    }
    assertThat(c).isEqualTo(new Chunk.Done(new Usage(40, 10, 25, false), "tool_calls"));
    assertThat(deltas).hasSize(5);
    assertThat(deltas.get(0).path("delta").path("role").asText()).isEqualTo("assistant");
    assertThat(deltas.get(0).path("delta").path("content").asText()).isEqualTo("Checking");
    assertThat(deltas.get(1).path("delta").path("tool_calls").get(0).path("id").asText())
        .isEqualTo("toolu_5");
    assertThat(
            deltas
                .get(1)
                .path("delta")
                .path("tool_calls")
                .get(0)
                .path("function")
                .path("name")
                .asText())
        .isEqualTo("weather");
    String arguments =
        deltas
                .get(2)
                .path("delta")
                .path("tool_calls")
                .get(0)
                .path("function")
                .path("arguments")
                .asText()
            + deltas
                .get(3)
                .path("delta")
                .path("tool_calls")
                .get(0)
                .path("function")
                .path("arguments")
                .asText();
    assertThat(Json.MAPPER.readTree(arguments).path("city").asText()).isEqualTo("Oslo");
    assertThat(deltas.get(4).path("finish_reason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void anOverloadedAnswerIsA529AndAnErrorEventBreaksTheStream() throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(
                529,
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
    assertThat(((UpstreamReply.Failed) send(false)).failure().status()).isEqualTo(529);
    server.always(
        sse(
            Duration.ZERO,
            "event: message_start\n"
                + "data:"
                + " {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":1}}}",
            "event: error\n"
                + "data:"
                + " {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
    Chunk first = ((UpstreamReply.Streaming) send(true)).chunks().next();
    assertThat(first)
        .isInstanceOfSatisfying(
            Chunk.Broken.class, b -> assertThat(b.failure().status()).isEqualTo(529));
  }
}
