package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.HostileBodies;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 5,000 hostile bodies against the real server: none is a 5xx, every refusal is OpenAI's error
 * shape, every answer comes (none hangs), and the server still serves afterwards.
 */
@Timeout(180)
class HostileBodiesIT {
  static final int BODIES = 5_000;
  static final int IN_FLIGHT = 8;

  @Test
  void everyHostileBodyGetsAnAnswerOrAClientErrorInOpenAisShape() throws Exception {
    try (GatewayHarness gateway =
        new GatewayHarness(
            """
            deployments:
              - name: fast
                provider: sim
                sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 0}, output-tokens: {median: 4, p99: 4}}
            models:
              - {name: small, deployments: [fast], context-window: 8000}
            routes:
              - {name: auto, models: [small], policy: priority}
            """)) {
      List<HostileBodies.Body> bodies = new HostileBodies(20261202L).take(BODIES);
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
      Semaphore inFlight = new Semaphore(IN_FLIGHT);
      try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < bodies.size(); i++) {
          HostileBodies.Body body = bodies.get(i);
          int index = i;
          inFlight.acquire();
          senders.execute(
              () -> {
                try {
                  String problem = check(gateway, body, statuses);
                  if (problem != null) {
                    problems.add("body " + index + " to " + body.path() + ": " + problem);
                  }
                } catch (Exception e) {
                  problems.add("body " + index + " to " + body.path() + ": " + e);
                } finally {
                  inFlight.release();
                }
              });
        }
      }
      System.out.println("statuses of hostile bodies: " + statuses);
      assertThat(problems).as("bodies with a 5xx, a hang or a malformed error").isEmpty();
      // The mutations must reach past the parser: some bodies are served, most refused.
      assertThat(statuses.getOrDefault(200, new LongAdder()).sum()).as("served").isGreaterThan(20);
      assertThat(statuses.getOrDefault(400, new LongAdder()).sum())
          .as("refused")
          .isGreaterThan(1_000);
      assertThat(gateway.chat("auto", false).statusCode()).isEqualTo(200);
    }
  }

  /** What is wrong with the answer to one body, or null. */
  private static String check(
      GatewayHarness gateway, HostileBodies.Body body, Map<Integer, LongAdder> statuses)
      throws Exception {
    HttpResponse<String> response =
        gateway.client.send(
            HttpRequest.newBuilder(gateway.uri(body.path()))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    if (status >= 500) {
      return "status " + status + " " + response.body();
    }
    if (status < 300) {
      return null;
    }
    JsonNode error;
    try {
      error = Json.MAPPER.readTree(response.body()).path("error");
    } catch (Exception e) {
      return "status " + status + " with a body that is not JSON: " + response.body();
    }
    boolean shaped =
        error.path("message").isTextual()
            && !error.path("message").asText().isBlank()
            && error.path("type").isTextual()
            && error.has("param")
            && error.has("code");
    return shaped ? null : "status " + status + " not in OpenAI's error shape: " + response.body();
  }
}
