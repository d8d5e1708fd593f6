package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Anthropic's Messages API on the real server: its keys, its error shape, its traces. */
@Timeout(30)
class MessagesApiIT {
  private static final String BODY =
      "{\"model\":\"auto\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  GatewayHarness gateway;

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  @Test
  void xApiKeyAuthenticatesAndRefusalsAreInAnthropicsShape() throws Exception {
    gateway =
        new GatewayHarness(
            """
            auth:
              keys:
                - {name: team-a, key-sha256: %s, tenant: acme, routes: [auto]}
            """
                    .formatted(ConfigReader.sha256(ServerApiIT.TEAM_KEY))
                + ServerApiIT.POOL);
    HttpResponse<String> wrong = gateway.post("/v1/messages", BODY, "x-api-key", "wrong");
    assertThat(wrong.statusCode()).isEqualTo(401);
    JsonNode error = GatewayHarness.json(wrong);
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.path("error").path("type").asText()).isEqualTo("authentication_error");

    HttpResponse<String> ok = gateway.post("/v1/messages", BODY, "x-api-key", ServerApiIT.TEAM_KEY);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    JsonNode message = GatewayHarness.json(ok);
    assertThat(message.path("type").asText()).isEqualTo("message");
    assertThat(message.path("content").path(0).path("text").asText()).isNotEmpty();
    JsonNode trace = gateway.trace(ok);
    assertThat(trace.path("tenant").asText()).isEqualTo("acme");
    assertThat(trace.path("flags"))
        .extracting(JsonNode::asText)
        .contains("ingress:anthropic-messages");

    HttpResponse<String> forbidden =
        gateway.post(
            "/v1/messages", BODY.replace("auto", "other"), "x-api-key", ServerApiIT.TEAM_KEY);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(GatewayHarness.json(forbidden).path("error").path("type").asText())
        .isEqualTo("permission_error");
  }

  @Test
  void aBadBodyIsA400InAnthropicsShapeAndRoutesNothing() throws Exception {
    gateway = new GatewayHarness(ServerApiIT.POOL);
    HttpResponse<String> bad = gateway.post("/v1/messages", BODY.replace(",\"max_tokens\":16", ""));
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonNode error = GatewayHarness.json(bad).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("message").asText()).contains("max_tokens");
    assertThat(gateway.accessLog()).doesNotContain("\"route\"");
  }

  @Test
  void anUpstreamThatBreaksMidStreamEndsTheMessageStreamWithAnErrorEvent() throws Exception {
    try (ScriptedUpstreamServer upstream =
        new ScriptedUpstreamServer(
            ScriptedUpstreamServer.sseThenReset(
                "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}",
                "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}"))) {
      gateway =
          new GatewayHarness(
              """
              deployments:
                - {name: up, provider: openai, base-url: "%s/v1", model: m}
              models:
                - {name: m, deployments: [up]}
              routes:
                - {name: auto, models: [m], policy: priority}
              """
                  .formatted(upstream.baseUrl()));
      HttpResponse<String> stream =
          gateway.post(
              "/v1/messages", BODY.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\""));
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.body())
          .startsWith("event: message_start\n")
          .contains("\"text\":\"Hel\"", "\"text\":\"lo\"")
          .contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"")
          .doesNotContain("message_stop");
      assertThat(gateway.trace(stream).path("outcome").asText()).isEqualTo("stream_broken");
    }
  }

  @Test
  void aStreamEndsWithMessageStop() throws Exception {
    gateway = new GatewayHarness(ServerApiIT.POOL);
    HttpResponse<String> stream =
        gateway.post(
            "/v1/messages", BODY.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\""));
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    assertThat(stream.body())
        .startsWith("event: message_start\n")
        .contains("event: content_block_delta\n", "event: message_delta\n")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(gateway.trace(stream).path("flags"))
        .extracting(JsonNode::asText)
        .contains("wire:translated");
  }

  /** A turn of a tool loop with thinking, cached system prompt and tools. */
  private static final String THINKING_TURN =
      """
      {"model":"auto","max_tokens":64,"thinking":{"type":"enabled","budget_tokens":1024},
       "system":[{"type":"text","text":"You are terse.","cache_control":{"type":"ephemeral"}}],
       "metadata":{"user_id":"u1","session_id":"s1"},
       "tools":[{"name":"read","description":"read a file","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],
       "messages":[
         {"role":"user","content":"What is in notes.txt?"},
         {"role":"assistant","content":[
           {"type":"thinking","thinking":"I should read it.","signature":"sig-abc"},
           {"type":"redacted_thinking","data":"opaque-1"},
           {"type":"tool_use","id":"toolu_1","name":"read","input":{"path":"notes.txt"}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"pomegranate"}]}]}
      """;

  private static final String THINKING_ANSWER =
      """
      {"id":"msg_up","type":"message","role":"assistant","model":"claude-x",
       "content":[{"type":"thinking","thinking":"It says pomegranate.","signature":"sig-def"},{"type":"text","text":"pomegranate"}],
       "stop_reason":"end_turn","stop_sequence":null,
       "usage":{"input_tokens":50,"cache_read_input_tokens":40,"cache_creation_input_tokens":0,"output_tokens":9}}
      """;

  private static final String[] THINKING_EVENTS = {
    "event: message_start\n"
        + "data:"
        + " {\"type\":\"message_start\",\"message\":{\"id\":\"msg_up\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":50,\"cache_read_input_tokens\":40,\"output_tokens\":1}}}",
    "event: content_block_start\n"
        + "data:"
        + " {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}",
    "event: ping\ndata: {\"type\":\"ping\"}",
    "event: content_block_delta\n"
        + "data:"
        + " {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"It"
        + " says pomegranate.\"}}",
    "event: content_block_delta\n"
        + "data:"
        + " {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"sig-stream\"}}",
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
    "event: content_block_start\n"
        + "data:"
        + " {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
    "event: content_block_delta\n"
        + "data:"
        + " {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"pomegranate\"}}",
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}",
    "event: message_delta\n"
        + "data:"
        + " {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}",
    "event: message_stop\ndata: {\"type\":\"message_stop\"}"
  };

  @Test
  void aMessagesRequestReachesAnAnthropicUpstreamAsSentAndItsAnswerComesBackAsSent()
      throws Exception {
    try (ScriptedUpstreamServer upstream =
        new ScriptedUpstreamServer(
            ScriptedUpstreamServer.byRequest(
                request ->
                    request.body().contains("\"stream\":true")
                        ? ScriptedUpstreamServer.sse(Duration.ofMillis(1), THINKING_EVENTS)
                        : ScriptedUpstreamServer.json(200, THINKING_ANSWER)))) {
      gateway =
          new GatewayHarness(
              """
              deployments:
                - {name: claude, provider: anthropic, base-url: "%s", model: claude-x, api-key-env: ANTHROPIC_TEST_KEY}
              models:
                - {name: c, deployments: [claude], capabilities: [tools]}
              routes:
                - {name: auto, models: [c], policy: priority}
              """
                  .formatted(upstream.baseUrl()),
              Map.of("ANTHROPIC_TEST_KEY", "sk-ant"));

      HttpResponse<String> whole =
          gateway.post("/v1/messages", THINKING_TURN, "anthropic-beta", "interleaved-thinking");
      assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
      assertThat(GatewayHarness.json(whole)).isEqualTo(Json.MAPPER.readTree(THINKING_ANSWER));
      JsonNode sent = Json.MAPPER.readTree(upstream.requests().get(0).body());
      ObjectNode expected = (ObjectNode) Json.MAPPER.readTree(THINKING_TURN);
      expected.put("model", "claude-x");
      ((ObjectNode) expected.get("metadata")).remove("session_id");
      assertThat(sent).as("the client's body, model and metadata aside").isEqualTo(expected);
      assertThat(upstream.requests().get(0).headers())
          .containsEntry("anthropic-beta", "interleaved-thinking");
      JsonNode trace = gateway.trace(whole);
      assertThat(trace.path("flags"))
          .extracting(JsonNode::asText)
          .contains("ingress:anthropic-messages", "wire:passthrough")
          .doesNotContain("wire:translated");
      assertThat(trace.path("usage").path("prompt_tokens").asLong()).isEqualTo(90);

      HttpResponse<String> stream =
          gateway.post("/v1/messages", THINKING_TURN.replaceFirst("\\{", "{\"stream\":true,"));
      assertThat(stream.statusCode()).as(stream.body()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(upstream.requests().get(1).body()).path("stream").asBoolean())
          .isTrue();
      assertThat(stream.body())
          .as("every event as the upstream sent it")
          .isEqualTo(String.join("\n\n", THINKING_EVENTS) + "\n\n");
      JsonNode streamed = gateway.trace(stream);
      assertThat(streamed.path("flags")).extracting(JsonNode::asText).contains("wire:passthrough");
      assertThat(streamed.path("outcome").asText()).isEqualTo("ok");
      assertThat(streamed.path("usage").path("completion_tokens").asLong()).isEqualTo(9);
    }
  }

  @Test
  void aPassedThroughStreamThatBreaksEndsWithAnErrorEventAfterTheUpstreamsOwn() throws Exception {
    try (ScriptedUpstreamServer upstream =
        new ScriptedUpstreamServer(
            ScriptedUpstreamServer.sseThenReset(
                java.util.Arrays.copyOfRange(THINKING_EVENTS, 0, 8)))) {
      gateway =
          new GatewayHarness(
              """
              deployments:
                - {name: claude, provider: anthropic, base-url: "%s", model: claude-x, api-key-env: ANTHROPIC_TEST_KEY}
              models:
                - {name: c, deployments: [claude], capabilities: [tools]}
              routes:
                - {name: auto, models: [c], policy: priority}
              """
                  .formatted(upstream.baseUrl()),
              Map.of("ANTHROPIC_TEST_KEY", "sk-ant"));
      HttpResponse<String> stream =
          gateway.post(
              "/v1/messages", BODY.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\""));
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.body())
          .startsWith(String.join("\n\n", java.util.Arrays.copyOfRange(THINKING_EVENTS, 0, 8)))
          .contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"")
          .doesNotContain("message_stop");
      JsonNode trace = gateway.trace(stream);
      assertThat(trace.path("outcome").asText()).isEqualTo("stream_broken");
      assertThat(trace.path("flags")).extracting(JsonNode::asText).contains("wire:passthrough");
      assertThat(trace.path("usage").path("completion_tokens").asLong())
          .as("the text streamed so far, counted")
          .isPositive();
    }
  }
}
