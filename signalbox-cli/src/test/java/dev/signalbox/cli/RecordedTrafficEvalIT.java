package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on real processes: {@code serve} over two {@code replay} deployments answering
 * from an outcomes file, a weighted split with prompts recorded, feedback on every answer, then the
 * trace store evaluated with {@code eval} (qualities as the feedback gave them) and replayed with
 * {@code replay}.
 */
@Timeout(120)
class RecordedTrafficEvalIT {
  private static final int PROMPTS = 30;
  private static final int REPEATS = 4;

  @TempDir Path dir;

  private static double quality(String model, int prompt) {
    return model.equals("small") ? (prompt % 3 == 0 ? 0 : 1) : (prompt % 5 == 0 ? 0.5 : 1);
  }

  @Test
  void recordedTrafficWithFeedbackIsEvaluatedAndReplayed() throws Exception {
    Path outcomes = dir.resolve("outcomes.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < PROMPTS; i++) {
      lines.add(
          "{\"id\": \"p"
              + i
              + "\", \"prompt\": \"question "
              + i
              + "\", \"outcomes\": {"
              + "\"small\": {\"quality\": "
              + quality("small", i)
              + ", \"response\": \"small answer "
              + i
              + "\", \"latency_ms\": 3},"
              + "\"large\": {\"quality\": "
              + quality("large", i)
              + ", \"response\": \"large answer "
              + i
              + "\", \"latency_ms\": 8}}}");
    }
    Files.write(outcomes, lines);
    Path store = dir.resolve("traces.db");
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
        traces: {path: %s, record-prompts: true, record-answers: true}
        server: {access-log: false}
        deployments:
          - {name: small-r, provider: replay, replay-from: %s, model: small}
          - {name: large-r, provider: replay, replay-from: %2$s, model: large}
        models:
          - {name: small, deployments: [small-r], pricing: {input: 0.1, output: 0.4}}
          - {name: large, deployments: [large-r], pricing: {input: 5, output: 15}}
        routes:
          - {name: chat, models: [small, large], policy: weighted}
        """
            .formatted(store, outcomes));

    Map<Integer, Set<String>> servedBy = new ConcurrentHashMap<>();
    try (ServeProcess serve = ServeProcess.start(dir, config)) {
      int port = serve.port;
      HttpClient client = serve.client;
      ExecutorService pool = Executors.newFixedThreadPool(6);
      List<Future<?>> done = new ArrayList<>();
      for (int n = 0; n < PROMPTS * REPEATS; n++) {
        int prompt = n % PROMPTS;
        done.add(
            pool.submit(
                () -> {
                  HttpResponse<String> answer =
                      post(
                          client,
                          port,
                          "/v1/chat/completions",
                          "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"question"
                              + " "
                              + prompt
                              + "\"}]}");
                  assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                  String model = answer.headers().firstValue("x-signalbox-model").orElseThrow();
                  assertThat(
                          Json.MAPPER
                              .readTree(answer.body())
                              .path("choices")
                              .path(0)
                              .path("message")
                              .path("content")
                              .asText())
                      .as("the replay deployment gives the recorded answer")
                      .isEqualTo(model + " answer " + prompt);
                  servedBy.computeIfAbsent(prompt, p -> ConcurrentHashMap.newKeySet()).add(model);
                  String id = answer.headers().firstValue("x-signalbox-request-id").orElseThrow();
                  HttpResponse<String> feedback =
                      post(
                          client,
                          port,
                          "/v1/feedback",
                          "{\"request_id\":\""
                              + id
                              + "\",\"score\":"
                              + quality(model, prompt)
                              + "}");
                  assertThat(feedback.statusCode()).as(feedback.body()).isEqualTo(200);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(serve.terminate(Duration.ofSeconds(30))).as(serve.output()).isTrue();
    }

    List<Integer> complete =
        servedBy.entrySet().stream()
            .filter(e -> e.getValue().size() == 2)
            .map(Map.Entry::getKey)
            .toList();
    assertThat(complete.size())
        .as("most prompts drew both models in four tries")
        .isGreaterThan(PROMPTS / 2);
    CliTest.Run eval =
        CliTest.run("eval", "--dataset", store.toString(), "--json", "--resamples", "100");
    assertThat(eval.exit()).as(eval.err()).isZero();
    JsonNode json = Json.MAPPER.readTree(eval.out());
    for (String model : List.of("small", "large")) {
      double expected =
          complete.stream().mapToDouble(p -> quality(model, p)).average().orElseThrow();
      assertThat(json.path("only:" + model).path("quality").asDouble())
          .as(model)
          .isCloseTo(expected, within(1e-9));
    }
    double oracle =
        complete.stream()
            .mapToDouble(p -> Math.max(quality("small", p), quality("large", p)))
            .average()
            .orElseThrow();
    assertThat(json.path("oracle").path("quality").asDouble()).isCloseTo(oracle, within(1e-9));

    CliTest.Run replay = CliTest.run("replay", "--store", store.toString());
    assertThat(replay.exit()).as(replay.out()).isZero();
    assertThat(replay.out()).contains(PROMPTS * REPEATS + " identical, 0 different");
  }

  private static HttpResponse<String> post(HttpClient client, int port, String path, String body)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
