package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records a real concurrent run of {@code signalbox serve} (a weighted split, rules, a flaky
 * deployment, streams) and replays it: the replayed decision log must equal the exported one byte
 * for byte.
 */
@Timeout(120)
class ReplayProcessIT {
  private static final int THREADS = 8;
  private static final int PER_THREAD = 30;

  @TempDir Path dir;

  private static final String CONFIG =
      """
      traces: {path: %s}
      server: {access-log: false}
      deployments:
        - {name: small-east, provider: sim, sim: {time-to-first-token-ms: {median: 2}, ms-per-token: {median: 0.1}, output-tokens: {median: 8}, error-rate: 0.3}}
        - {name: small-west, provider: sim, sim: {time-to-first-token-ms: {median: 3}, ms-per-token: {median: 0.1}, output-tokens: {median: 8}}}
        - {name: large-one, provider: sim, sim: {time-to-first-token-ms: {median: 4}, ms-per-token: {median: 0.1}, output-tokens: {median: 8}}}
      models:
        - {name: small, deployments: [small-east, small-west], deployment-selector: weighted, pricing: {input: 0.1, output: 0.4}}
        - {name: large, deployments: [large-one], pricing: {input: 5, output: 15}, capabilities: [tools]}
      routes:
        - {name: split, models: [small, large], policy: weighted, weights: {small: 3, large: 1}}
        - name: auto
          policy: rules
          rules:
            - {name: hard, keywords: [prove, derive], route: strong}
            - {name: gold, header: {name: x-tier, value: gold}, route: strong}
          default: split
        - {name: strong, models: [large], policy: priority, fallbacks: [small], default-max-tokens: 300}
      """;

  private static final String ALWAYS_LARGE =
      """
      deployments:
        - {name: small-east, provider: sim}
        - {name: small-west, provider: sim}
        - {name: large-one, provider: sim}
      models:
        - {name: small, deployments: [small-east, small-west], pricing: {input: 0.1, output: 0.4}}
        - {name: large, deployments: [large-one], pricing: {input: 5, output: 15}, capabilities: [tools]}
      routes:
        - {name: split, models: [large], policy: priority}
        - {name: auto, models: [large], policy: priority}
      """;

  @Test
  void aConcurrentRunReplaysByteForByte() throws Exception {
    Path store = dir.resolve("traces.db");
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, CONFIG.formatted(store));
    int sent;
    try (ServeProcess serve = ServeProcess.start(dir, config)) {
      sent = sendConcurrently(serve.port);
      // SIGTERM: drain and flush the traces
      assertThat(serve.terminate(Duration.ofSeconds(30))).as(serve.output()).isTrue();
    }

    Path recorded = dir.resolve("recorded.jsonl");
    Path replayed = dir.resolve("replayed.jsonl");
    CliTest.Run export =
        CliTest.run(
            "traces", "--store", store.toString(), "--export", recorded.toString(), "--decisions");
    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(Files.readAllLines(recorded)).hasSize(sent);
    CliTest.Run replay =
        CliTest.run("replay", "--store", store.toString(), "--out", replayed.toString());
    assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
    assertThat(replay.out()).contains(sent + " identical, 0 different");
    assertThat(Files.mismatch(recorded, replayed))
        .as("the replayed log equals the recorded one byte for byte")
        .isEqualTo(-1L);
    String log = Files.readString(recorded);
    assertThat(log)
        .as("the run exercised what replay must reproduce")
        .contains(
            "\"policy\":\"weighted\"",
            "\"routes\":[\"auto\",\"strong\"]",
            "\"propensity\":0.75",
            "\"propensity\":0.25")
        // A decision saw a deployment failing. How many failures in a row it saw depends on how
        // the concurrent requests interleave (the run is random), so any count will do.
        .containsPattern("\"consecutive_failures\":[1-9]");

    Path target = dir.resolve("large.yaml");
    Files.writeString(target, ALWAYS_LARGE);
    CliTest.Run counterfactual =
        CliTest.run("replay", "--store", store.toString(), "--with", target.toString(), "--json");
    assertThat(counterfactual.exit()).as(counterfactual.err()).isZero();
    JsonNode report = Json.MAPPER.readTree(counterfactual.out()).path(target.toString());
    assertThat(report.path("replayed").asInt()).isEqualTo(sent);
    assertThat(report.path("changed").asInt()).as("every small choice becomes large").isPositive();
    assertThat(report.path("cost_usd").path("delta").asDouble()).isPositive();
    assertThat(report.path("no_estimate").asText())
        .isEqualTo("no feedback on the replayed requests");
  }

  private static int sendConcurrently(int port) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < PER_THREAD; i++) {
                  int n = thread * PER_THREAD + i;
                  String model = n % 3 == 0 ? "split" : "auto";
                  String text = n % 5 == 0 ? "please prove this" : "question " + n;
                  String body =
                      "{\"model\":\""
                          + model
                          + "\",\"stream\":"
                          + (n % 4 == 0)
                          + (n % 7 == 0 ? ",\"max_tokens\":50" : "")
                          + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                          + text
                          + "\"}]}";
                  HttpRequest.Builder request =
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                          .timeout(Duration.ofSeconds(20))
                          .header("content-type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofString(body));
                  if (n % 6 == 1) {
                    request.header("x-tier", "gold");
                  }
                  HttpResponse<String> response =
                      client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                  assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                }
                return PER_THREAD;
              }));
    }
    start.countDown();
    int sent = 0;
    for (Future<Integer> f : done) {
      sent += f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    return sent;
  }
}
