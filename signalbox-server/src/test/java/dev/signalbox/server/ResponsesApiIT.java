package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** OpenAI's Responses API on the real server: its store, its stream's end states, its traces. */
@Timeout(60)
class ResponsesApiIT {
  private static final String OTHER_KEY = "sb-team-b-secret";
  private static final String BODY = "{\"model\":\"auto\",\"input\":\"hi\"}";

  GatewayHarness gateway;

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  private static String twoTenants() {
    return """
    auth:
      keys:
        - {name: team-a, key-sha256: %s, tenant: acme}
        - {name: team-b, key-sha256: %s, tenant: globex}
    """
            .formatted(ConfigReader.sha256(ServerApiIT.TEAM_KEY), ConfigReader.sha256(OTHER_KEY))
        + ServerApiIT.POOL;
  }

  private HttpResponse<String> delete(String path, String key) throws Exception {
    return gateway.client.send(
        HttpRequest.newBuilder(gateway.uri(path))
            .header("authorization", "Bearer " + key)
            .DELETE()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aStoredResponseIsItsTenantsOnlyAndContinuesAConversation() throws Exception {
    gateway = new GatewayHarness(twoTenants());
    String acme = "Bearer " + ServerApiIT.TEAM_KEY;
    HttpResponse<String> first = gateway.post("/v1/responses", BODY, "authorization", acme);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    JsonNode response = GatewayHarness.json(first);
    String id = response.path("id").asText();
    assertThat(id).isEqualTo("resp_" + gateway.trace(first).path("id").asText().substring(4));
    assertThat(gateway.trace(first).path("flags"))
        .extracting(JsonNode::asText)
        .contains("ingress:openai-responses");

    HttpResponse<String> stranger =
        gateway.get("/v1/responses/" + id, "authorization", "Bearer " + OTHER_KEY);
    assertThat(stranger.statusCode()).isEqualTo(404);
    HttpResponse<String> notTheirs =
        gateway.post(
            "/v1/responses",
            "{\"model\":\"auto\",\"input\":\"more\",\"previous_response_id\":\"" + id + "\"}",
            "authorization",
            "Bearer " + OTHER_KEY);
    assertThat(notTheirs.statusCode()).isEqualTo(400);
    assertThat(GatewayHarness.json(notTheirs).path("error").path("param").asText())
        .isEqualTo("previous_response_id");

    HttpResponse<String> next =
        gateway.post(
            "/v1/responses",
            "{\"model\":\"auto\",\"input\":\"more\",\"previous_response_id\":\"" + id + "\"}",
            "authorization",
            acme);
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    String nextId = GatewayHarness.json(next).path("id").asText();
    JsonNode items =
        GatewayHarness.json(
            gateway.get(
                "/v1/responses/" + nextId + "/input_items?order=asc", "authorization", acme));
    // The first turn's input, its answer, then the new input.
    assertThat(items.path("data")).hasSize(3);
    assertThat(items.path("data").get(1).path("role").asText()).isEqualTo("assistant");

    assertThat(delete("/v1/responses/" + id, OTHER_KEY).statusCode()).isEqualTo(404);
    assertThat(delete("/v1/responses/" + id, ServerApiIT.TEAM_KEY).statusCode()).isEqualTo(200);
    assertThat(gateway.get("/v1/responses/" + id, "authorization", acme).statusCode())
        .isEqualTo(404);
  }

  @Test
  void storeFalseKeepsNothingAndABadBodyRoutesNothing() throws Exception {
    gateway = new GatewayHarness(ServerApiIT.POOL);
    HttpResponse<String> unstored =
        gateway.post("/v1/responses", "{\"model\":\"auto\",\"input\":\"hi\",\"store\":false}");
    String id = GatewayHarness.json(unstored).path("id").asText();
    assertThat(gateway.get("/v1/responses/" + id).statusCode()).isEqualTo(404);

    String logBefore = gateway.accessLog();
    HttpResponse<String> bad =
        gateway.post("/v1/responses", "{\"model\":\"auto\",\"input\":[{\"type\":\"bogus\"}]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonNode error = GatewayHarness.json(bad).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("param").asText()).isEqualTo("input[0].type");
    assertThat(gateway.accessLog().substring(logBefore.length())).doesNotContain("\"route\"");
    assertThat(gateway.get("/v1/responses/resp_nothing/nowhere").statusCode()).isEqualTo(404);
  }

  @Test
  void aStreamStillUnderWayIsReadAndCancelled() throws Exception {
    gateway = new GatewayHarness(ServerApiIT.POOL);
    HttpResponse<Stream<String>> stream =
        gateway.client.send(
            HttpRequest.newBuilder(gateway.uri("/v1/responses"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"endless\",\"input\":\"hi\",\"stream\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    Iterator<String> lines = stream.body().iterator();
    String id = "";
    String line;
    do {
      line = lines.next();
      if (line.startsWith("data: ") && id.isEmpty()) {
        id = Json.MAPPER.readTree(line.substring(6)).path("response").path("id").asText();
      }
    } while (!line.contains("response.output_text.delta"));

    JsonNode live = GatewayHarness.json(gateway.get("/v1/responses/" + id));
    assertThat(live.path("status").asText()).isEqualTo("in_progress");
    HttpResponse<String> cancel = gateway.post("/v1/responses/" + id + "/cancel", "");
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    assertThat(GatewayHarness.json(cancel).path("status").asText()).isEqualTo("cancelled");

    String last = "";
    while (lines.hasNext()) {
      String next = lines.next();
      if (next.startsWith("event: ")) {
        last = next;
      }
    }
    assertThat(last).isEqualTo("event: response.failed");
    assertThat(GatewayHarness.json(gateway.get("/v1/responses/" + id)).path("status").asText())
        .isEqualTo("cancelled");
    HttpResponse<String> again = gateway.post("/v1/responses/" + id + "/cancel", "");
    assertThat(again.statusCode()).isEqualTo(400);
  }

  @Test
  void anUpstreamThatBreaksMidStreamFailsTheResponse() throws Exception {
    try (ScriptedUpstreamServer upstream =
        new ScriptedUpstreamServer(
            ScriptedUpstreamServer.sseThenReset(
                "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}"))) {
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
          gateway.post("/v1/responses", "{\"model\":\"auto\",\"input\":\"hi\",\"stream\":true}");
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.body())
          .startsWith("event: response.created\n")
          .contains("\"delta\":\"Hel\"", "event: response.failed\n")
          .doesNotContain("response.completed");
      assertThat(gateway.trace(stream).path("outcome").asText()).isEqualTo("stream_broken");
      String id =
          "resp_"
              + stream.headers().firstValue("x-signalbox-request-id").orElseThrow().substring(4);
      assertThat(GatewayHarness.json(gateway.get("/v1/responses/" + id)).path("status").asText())
          .isEqualTo("failed");
    }
  }
}
