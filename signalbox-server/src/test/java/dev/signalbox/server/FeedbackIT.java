package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.trace.Feedback;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /v1/feedback} on the real server: kept with the trace, bad input refused in OpenAI's
 * shape.
 */
@Timeout(30)
class FeedbackIT {
  private final GatewayHarness gateway = new GatewayHarness(ServerApiIT.POOL);

  FeedbackIT() throws Exception {}

  @AfterEach
  void close() throws Exception {
    gateway.close();
  }

  @Test
  void feedbackRightAfterTheAnswerIsKeptWithItsTraceOneScorePerSource() throws Exception {
    HttpResponse<String> answer = gateway.chat("auto", false);
    String id = answer.headers().firstValue("x-signalbox-request-id").orElseThrow();
    // Sent at once: the trace may still be queued, and must be found all the same.
    HttpResponse<String> first =
        gateway.post(
            "/v1/feedback",
            "{\"request_id\": \"" + id + "\", \"score\": 0.75, \"comment\": \"close\"}");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(GatewayHarness.json(first).path("recorded").asBoolean()).isTrue();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> again =
          gateway.post("/v1/feedback", "{\"request_id\": \"" + id + "\", \"thumbs\": \"down\"}");
      assertThat(again.statusCode()).isEqualTo(200);
    }
    assertThat(gateway.traces.store().feedback(id))
        .as("a later score from the same source replaces the earlier one")
        .extracting(Feedback::score, Feedback::source)
        .containsExactly(tuple(0.0, "api"));

    gateway.post(
        "/v1/feedback", "{\"request_id\": \"" + id + "\", \"score\": 0.5, \"source\": \"judge\"}");
    assertThat(gateway.traces.store().feedback(id))
        .extracting(Feedback::score, Feedback::source)
        .containsExactly(tuple(0.0, "api"), tuple(0.5, "judge"));
    assertThat(gateway.learned).as("a request teaches its route once").containsExactly(id);
  }

  @Test
  void unknownIdsAndBadValuesGetA400InOpenAisShapeAndStoreNothing() throws Exception {
    HttpResponse<String> answer = gateway.chat("auto", false);
    String id = answer.headers().firstValue("x-signalbox-request-id").orElseThrow();
    assertThat(gateway.traces.flush(Duration.ofSeconds(10))).isTrue();
    record Case(String body, String param, String message) {}
    for (Case bad :
        List.of(
            new Case(
                "{\"request_id\": \"req_nobody\", \"score\": 1}",
                "request_id",
                "No recorded request has the id 'req_nobody'"),
            new Case(
                "{\"request_id\": \"" + id + "\", \"score\": 1.5}",
                "score",
                "'score' must be a number from 0 to 1"),
            new Case(
                "{\"request_id\": \"" + id + "\", \"score\": \"1\"}",
                "score",
                "'score' must be a number from 0 to 1"),
            new Case(
                "{\"request_id\": \"" + id + "\", \"thumbs\": \"sideways\"}",
                "thumbs",
                "'thumbs' must be \"up\" or \"down\""),
            new Case(
                "{\"request_id\": \"" + id + "\", \"score\": 1, \"thumbs\": \"up\"}",
                "score",
                "Give exactly one of 'score'"),
            new Case("{\"request_id\": \"" + id + "\"}", "score", "Give exactly one of 'score'"),
            new Case(
                "{\"request_id\": \"" + id + "\", \"score\": 1, \"rating\": 5}",
                "rating",
                "Unknown field 'rating'"),
            new Case("{\"score\": 1}", "request_id", "'request_id' must be"))) {
      HttpResponse<String> response = gateway.post("/v1/feedback", bad.body());
      assertThat(response.statusCode()).as(bad.body()).isEqualTo(400);
      JsonNode error = GatewayHarness.json(response).path("error");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.path("param").asText()).as(bad.body()).isEqualTo(bad.param());
      assertThat(error.path("message").asText()).as(bad.body()).contains(bad.message());
    }
    HttpResponse<String> notJson = gateway.post("/v1/feedback", "{score");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(gateway.traces.store().feedback(id)).isEmpty();
  }
}
