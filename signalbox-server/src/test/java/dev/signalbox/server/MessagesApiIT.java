package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.net.http.HttpResponse;
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
  }
}
