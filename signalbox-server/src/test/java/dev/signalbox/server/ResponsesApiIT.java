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

  private static final String UPSTREAM_RESPONSE =
      """
      {"id":"resp_up1","object":"response","created_at":1,"status":"completed","model":"gpt-x",
       "output":[
         {"id":"rs_1","type":"reasoning","summary":[],"encrypted_content":"opaque-reasoning"},
         {"id":"msg_1","type":"message","role":"assistant","status":"completed",
          "content":[{"type":"output_text","text":"The word is pomegranate.","annotations":[]}]}],
       "store":false,"previous_response_id":null,"tools":[{"type":"web_search"}],
       "usage":{"input_tokens":40,"input_tokens_details":{"cached_tokens":8},"output_tokens":12,
                "output_tokens_details":{"reasoning_tokens":5},"total_tokens":52}}
      """;

  private static final String[] UPSTREAM_EVENTS = {
    "event: response.created\n"
        + "data:"
        + " {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_up2\",\"object\":\"response\",\"status\":\"in_progress\",\"model\":\"gpt-x\",\"output\":[]}}",
    "event: response.output_item.added\n"
        + "data:"
        + " {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}}",
    "event: response.output_text.delta\n"
        + "data:"
        + " {\"type\":\"response.output_text.delta\",\"sequence_number\":2,\"item_id\":\"msg_2\",\"output_index\":0,\"content_index\":0,\"delta\":\"Pome\"}",
    "event: response.output_text.delta\n"
        + "data:"
        + " {\"type\":\"response.output_text.delta\",\"sequence_number\":3,\"item_id\":\"msg_2\",\"output_index\":0,\"content_index\":0,\"delta\":\"granate\"}",
    "event: response.output_item.done\n"
        + "data:"
        + " {\"type\":\"response.output_item.done\",\"sequence_number\":4,\"output_index\":0,\"item\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Pomegranate\"}]}}",
    "event: response.completed\n"
        + "data:"
        + " {\"type\":\"response.completed\",\"sequence_number\":5,\"response\":{\"id\":\"resp_up2\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-x\",\"output\":[{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Pomegranate\"}]}],\"usage\":{\"input_tokens\":30,\"output_tokens\":3,\"total_tokens\":33}}}"
  };

  @Test
  void aResponsesUpstreamGetsTheRequestAsSentWithTheWholeConversationAndAnswersAsItSent()
      throws Exception {
    try (ScriptedUpstreamServer upstream =
        new ScriptedUpstreamServer(
            ScriptedUpstreamServer.byRequest(
                request ->
                    request.body().contains("\"stream\":true")
                        ? ScriptedUpstreamServer.sse(
                            java.time.Duration.ofMillis(1), UPSTREAM_EVENTS)
                        : ScriptedUpstreamServer.json(200, UPSTREAM_RESPONSE)))) {
      gateway =
          new GatewayHarness(
              """
              deployments:
                - {name: gpt, provider: openai, base-url: "%s", model: gpt-x, responses-api: true}
              models:
                - {name: g, deployments: [gpt], capabilities: [tools]}
              routes:
                - {name: auto, models: [g], policy: priority}
              """
                  .formatted(upstream.baseUrl()));
      String first =
          "{\"model\":\"auto\",\"input\":\"Read notes.txt\",\"reasoning\":{\"effort\":\"high\"},"
              + "\"include\":[\"reasoning.encrypted_content\"],\"tools\":[{\"type\":\"web_search\"}]}";
      HttpResponse<String> answered = gateway.post("/v1/responses", first);
      assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
      JsonNode response = GatewayHarness.json(answered);
      String id = response.path("id").asText();
      assertThat(id).isEqualTo("resp_" + gateway.trace(answered).path("id").asText().substring(4));
      com.fasterxml.jackson.databind.node.ObjectNode expected =
          (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(UPSTREAM_RESPONSE);
      expected.put("id", id).put("store", true);
      assertThat(response).as("the upstream's response, the gateway's id").isEqualTo(expected);
      ScriptedUpstreamServer.RecordedRequest sent = upstream.requests().get(0);
      assertThat(sent.path()).isEqualTo("/v1/responses");
      JsonNode sentBody = Json.MAPPER.readTree(sent.body());
      assertThat(sentBody.path("model").asText()).isEqualTo("gpt-x");
      assertThat(sentBody.path("store").asBoolean(true)).isFalse();
      assertThat(sentBody.path("tools").get(0).path("type").asText()).isEqualTo("web_search");
      assertThat(sentBody.path("reasoning").path("effort").asText()).isEqualTo("high");
      assertThat(gateway.trace(answered).path("flags"))
          .extracting(JsonNode::asText)
          .contains("ingress:openai-responses", "wire:passthrough");
      assertThat(gateway.trace(answered).path("usage").path("prompt_tokens").asLong())
          .isEqualTo(40);

      HttpResponse<String> next =
          gateway.post(
              "/v1/responses",
              "{\"model\":\"auto\",\"stream\":true,\"previous_response_id\":\""
                  + id
                  + "\",\"input\":\"And in one word?\"}");
      assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
      JsonNode continued = Json.MAPPER.readTree(upstream.requests().get(1).body());
      assertThat(continued.has("previous_response_id")).isFalse();
      JsonNode input = continued.path("input");
      assertThat(input).hasSize(4);
      assertThat(input.get(1).path("type").asText()).isEqualTo("reasoning");
      assertThat(input.get(1).path("encrypted_content").asText()).isEqualTo("opaque-reasoning");
      assertThat(input.get(1).has("id")).as("the upstream stored nothing").isFalse();
      assertThat(input.get(2).path("content").get(0).path("text").asText())
          .isEqualTo("The word is pomegranate.");

      String streamId = "resp_" + gateway.trace(next).path("id").asText().substring(4);
      String[] events = next.body().split("\n\n");
      assertThat(events).hasSize(UPSTREAM_EVENTS.length);
      for (int i = 1; i < UPSTREAM_EVENTS.length - 1; i++) {
        assertThat(events[i]).as("passed as sent").isEqualTo(UPSTREAM_EVENTS[i]);
      }
      assertThat(events[0]).contains("\"id\":\"" + streamId + "\"").doesNotContain("resp_up2");
      assertThat(events[5]).startsWith("event: response.completed\n").contains(streamId);
      JsonNode stored = GatewayHarness.json(gateway.get("/v1/responses/" + streamId));
      assertThat(stored.path("status").asText()).isEqualTo("completed");
      assertThat(stored.path("output").get(0).path("content").get(0).path("text").asText())
          .isEqualTo("Pomegranate");
      assertThat(stored.path("previous_response_id").asText()).isEqualTo(id);
      assertThat(gateway.trace(next).path("usage").path("completion_tokens").asLong()).isEqualTo(3);
    }
  }

  @Test
  void aPassedThroughStreamThatFailsEndsWithResponseFailedUnderTheGatewaysId() throws Exception {
    try (ScriptedUpstreamServer upstream =
        new ScriptedUpstreamServer(
            ScriptedUpstreamServer.sse(
                java.time.Duration.ofMillis(1),
                UPSTREAM_EVENTS[0],
                UPSTREAM_EVENTS[1],
                UPSTREAM_EVENTS[2],
                "event: response.failed\n"
                    + "data: {\"type\":\"response.failed\",\"sequence_number\":3,"
                    + "\"response\":{\"id\":\"resp_up2\",\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"the"
                    + " model fell over\"}}}"))) {
      gateway =
          new GatewayHarness(
              """
              deployments:
                - {name: gpt, provider: openai, base-url: "%s", model: gpt-x, responses-api: true}
              models:
                - {name: g, deployments: [gpt]}
              routes:
                - {name: auto, models: [g], policy: priority}
              """
                  .formatted(upstream.baseUrl()));
      HttpResponse<String> stream =
          gateway.post("/v1/responses", "{\"model\":\"auto\",\"stream\":true,\"input\":\"hi\"}");
      assertThat(stream.statusCode()).isEqualTo(200);
      String id = "resp_" + gateway.trace(stream).path("id").asText().substring(4);
      String[] events = stream.body().split("\n\n");
      assertThat(events[1]).isEqualTo(UPSTREAM_EVENTS[1]);
      assertThat(events[2]).isEqualTo(UPSTREAM_EVENTS[2]);
      assertThat(events[events.length - 1])
          .startsWith("event: response.failed\n")
          .contains(id, "the model fell over");
      assertThat(gateway.trace(stream).path("outcome").asText()).isEqualTo("stream_broken");
      JsonNode stored = GatewayHarness.json(gateway.get("/v1/responses/" + id));
      assertThat(stored.path("status").asText()).isEqualTo("failed");
    }
  }
}
