package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learned route from data to traffic on real processes: {@code train} fits a kNN threshold route
 * on an outcomes file (the weak model fails the calculus prompts, never the greetings) with the
 * real MiniLM embeddings, calibrated to send half the prompts to the strong model; {@code serve}
 * routes new prompts of each kind by their meaning; an artifact edited after training is refused.
 */
@Timeout(180)
class LearnedRouteProcessIT {
  @TempDir Path dir;

  private static final List<String> NAMES =
      List.of(
          "Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kofi",
          "Lena", "Mia", "Noor", "Omar", "Pia");

  @Test
  void aTrainedRouteSendsHardPromptsToTheStrongModelAndAnEditedArtifactIsRefused()
      throws Exception {
    Path artifact = dir.resolve("smart.artifact.json");
    Path config =
        writeConfig(
            """
            - name: smart
              policy: threshold
              models: [strong, weak]
              threshold: {strong: strong, weak: weak}
              scorer: {kind: knn, k: 5, smoothing: 1}
              artifact: %s
            """
                .formatted(artifact));
    Processes.Result trained = train(config, "smart", "--target", "strong-share=0.5");
    assertThat(trained.output())
        .contains("train: smart (threshold, knn scorer) on 32 prompts")
        .contains("for target strong-share=0.5")
        .contains("wrote " + artifact);
    assertThat(Files.readString(artifact)).contains("\"embedding_model\":\"all-MiniLM-L6-v2-q");

    try (Served served = serve(config)) {
      assertThat(
              served.model(
                  "smart",
                  "Evaluate the definite integral of x^3 * cos(x) from 0 to pi/2, showing each"
                      + " step."))
          .isEqualTo("strong");
      assertThat(
              served.model(
                  "smart", "Compute the integral of x^5 * sin(x) between 0 and pi, step by step."))
          .isEqualTo("strong");
      assertThat(
              served.model(
                  "smart", "Write a short friendly birthday greeting for my colleague Sam."))
          .isEqualTo("weak");
      assertThat(
              served.model(
                  "smart", "Please write a warm happy birthday message for my friend Zoe."))
          .isEqualTo("weak");
    }

    Files.writeString(artifact, Files.readString(artifact).replace("\"k\":5", "\"k\":6"));
    Processes.Result refused = validate(config);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains(artifact.toString()).contains("content_sha256");
  }

  /**
   * A route whose scorer tunes the encoder: {@code train} (with PyTorch) tunes MiniLM's top layers
   * and a head on the same prompts and writes them into the artifact; {@code serve} (ONNX Runtime
   * only) embeds new prompts with the tuned encoder and routes them by its head.
   */
  @Test
  void aTunedEncoderTrainedInPyTorchRoutesServedPromptsByItsHead() throws Exception {
    Path artifact = dir.resolve("tuned.artifact.json");
    Path config =
        writeConfig(
            """
            - name: tuned
              policy: threshold
              models: [strong, weak]
              threshold: {strong: strong, weak: weak, value: 0.5}
              scorer: {kind: tuned, epochs: 20, hidden: 16}
              artifact: %s
            """
                .formatted(artifact));
    Processes.Result trained = train(config, "tuned");
    assertThat(trained.output())
        .contains("train: tuned (threshold, tuned scorer) on 32 prompts")
        .contains("tuning the encoder: epoch 20 of 20");
    JsonNode body = Json.MAPPER.readTree(Files.readString(artifact)).path("body");
    String encoder = body.path("tuned_encoder").path("name").asText();
    assertThat(encoder).matches("tuned-[0-9a-f]{16}");
    assertThat(body.path("tuned_encoder").path("weights")).hasSize(32);

    try (Served served = serve(config)) {
      assertThat(
              served.model(
                  "tuned",
                  "Evaluate the definite integral of x^3 * cos(x) from 0 to pi/2, showing each"
                      + " step."))
          .isEqualTo("strong");
      assertThat(
              served.model(
                  "tuned", "Please write a warm happy birthday message for my friend Zoe."))
          .isEqualTo("weak");
    }
  }

  /**
   * A route that promises 90% of the strong model's quality: train picks the cheapest threshold
   * that keeps it on the held-out prompts (here: the weak model for the greetings it never fails)
   * and the artifact keeps the promise.
   */
  @Test
  void aQualityTargetIsKeptOnHeldOutPromptsAndStoredWithTheArtifact() throws Exception {
    Path artifact = dir.resolve("promise.artifact.json");
    Path config =
        writeConfig(
            """
            - name: promise
              policy: threshold
              models: [strong, weak]
              threshold: {strong: strong, weak: weak}
              scorer: {kind: knn, k: 5, smoothing: 1}
              target: {quality: 0.9, of: strong, confidence: 0.9}
              artifact: %s
            """
                .formatted(artifact));
    Processes.Result trained = train(config, "promise");
    assertThat(trained.output())
        .contains("for target quality 0.9 of strong at confidence 0.9")
        .doesNotContain("WARNING");
    JsonNode calibration =
        Json.MAPPER.readTree(Files.readString(artifact)).path("body").path("calibration");
    assertPromiseKept(calibration);
    Processes.Result valid = validate(config);
    assertThat(valid.exitCode()).as(valid.output()).isZero();
  }

  /**
   * A tuned route that promises a quality: its encoder is tuned without the held-out prompts, which
   * it then embeds to pick the threshold, and that encoder is the one the artifact carries and the
   * gateway serves with.
   */
  @Test
  void aTunedRouteKeepsAQualityTargetWithTheEncoderItWasCheckedWith() throws Exception {
    Path artifact = dir.resolve("tuned-promise.artifact.json");
    Path config =
        writeConfig(
            """
            - name: tuned-promise
              policy: threshold
              models: [strong, weak]
              threshold: {strong: strong, weak: weak}
              scorer: {kind: tuned, epochs: 20, hidden: 16}
              target: {quality: 0.9, of: strong, confidence: 0.9}
              artifact: %s
            """
                .formatted(artifact));
    Processes.Result trained = train(config, "tuned-promise");
    assertThat(trained.output())
        .contains("for target quality 0.9 of strong at confidence 0.9")
        .contains("tuning the encoder: epoch 20 of 20")
        .doesNotContain("WARNING");
    JsonNode body = Json.MAPPER.readTree(Files.readString(artifact)).path("body");
    assertThat(body.path("tuned_encoder").path("name").asText()).matches("tuned-[0-9a-f]{16}");
    JsonNode calibration = body.path("calibration");
    assertPromiseKept(calibration);

    // The threshold is the cheapest that keeps the promise on the held-out prompts' vectors from
    // the encoder served (so it sits at the lowest held-out calculus prompt's score): served, the
    // held-out calculus prompts go to the strong model, the greetings to the weak one.
    int heldOutToStrong = (int) Math.round(calibration.path("strong_share").asDouble() * 6);
    try (Served served = serve(config)) {
      int toStrong = 0;
      for (int i = 0; i < NAMES.size(); i++) {
        toStrong += served.model("tuned-promise", calculusPrompt(i)).equals("strong") ? 1 : 0;
        assertThat(served.model("tuned-promise", greetingPrompt(i))).isEqualTo("weak");
      }
      assertThat(toStrong).as(calibration.toString()).isGreaterThanOrEqualTo(heldOutToStrong);
    }
  }

  /**
   * A bandit over a tuned encoder: its clusters are of the tuned encoder's vectors, the ones it is
   * served with, so the greetings and the calculus prompts fall in clusters of their own.
   */
  @Test
  void aBanditOverATunedEncoderClustersTheTunedVectors() throws Exception {
    Path artifact = dir.resolve("tuned-bandit.artifact.json");
    Path config =
        writeConfig(
            """
            - name: tuned-bandit
              policy: bandit
              models: [strong, weak]
              bandit: {algorithm: linucb, clusters: 2, state: %s}
              scorer: {kind: tuned, epochs: 10, hidden: 16}
              artifact: %s
            """
                .formatted(dir.resolve("tuned-bandit-state.json"), artifact));
    train(config, "tuned-bandit");
    JsonNode root = Json.MAPPER.readTree(Files.readString(artifact));
    String encoder = root.path("body").path("tuned_encoder").path("name").asText();
    assertThat(encoder).matches("tuned-[0-9a-f]{16}");
    assertThat(root.path("embedding_model").asText()).endsWith("+" + encoder);
    assertThat(root.path("body").path("clusters_count").asInt()).isEqualTo(2);

    try (Served served = serve(config)) {
      HttpResponse<String> answer =
          served.chat("tuned-bandit", "Write a short birthday greeting for Ana.");
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }
  }

  /**
   * A bandit route learns online from feedback: every answer's feedback (1 when the weak model
   * answered a greeting or the strong one a calculus prompt, else 0) reaches its learner through
   * {@code POST /v1/feedback}; the learner's version rises, its state file is written, and a
   * restart reads it back.
   */
  @Test
  void aBanditRouteLearnsFromFeedbackAndKeepsItsStateAcrossARestart() throws Exception {
    Path state = dir.resolve("bandit-state.json");
    Path config =
        writeConfig(
            """
            - name: learner
              policy: bandit
              models: [strong, weak]
              bandit: {algorithm: linucb, exploration: 1.0, cost-penalty: 0.2, clusters: 2, state: %s}
              artifact: %s
            """
                .formatted(state, dir.resolve("learner.json")));
    train(config, "learner");

    try (Served served = serve(config)) {
      for (int step = 0; step < 30; step++) {
        boolean hard = step % 2 == 0;
        String prompt =
            hard
                ? "Evaluate the definite integral of x^" + step + " * cos(x) from 0 to pi."
                : "Write a short birthday greeting for Sam " + step + ".";
        HttpResponse<String> answer = served.chat("learner", prompt);
        String model = answer.headers().firstValue("x-signalbox-model").orElseThrow();
        String id = answer.headers().firstValue("x-signalbox-request-id").orElseThrow();
        served.awaitFeedback(
            id, hard ? (model.equals("strong") ? 1 : 0) : (model.equals("weak") ? 1 : 0));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!Files.exists(state) || !Files.readString(state).contains("\"version\":30")) {
        assertThat(System.nanoTime()).as("the learner reached version 30").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
    assertThat(Files.readString(state)).contains("\"updates\":30");

    String id;
    try (Served restarted = serve(config)) {
      id =
          restarted
              .chat("learner", "Write a short birthday greeting for Ana.")
              .headers()
              .firstValue("x-signalbox-request-id")
              .orElseThrow();
    }
    Processes.Result trace =
        Processes.run(
            dir,
            Duration.ofMinutes(1),
            Processes.javaCommand("traces", "--store", dir.resolve("traces.db").toString(), id)
                .toArray(String[]::new));
    assertThat(trace.output()).contains("linucb v30: expected reward");
  }

  /** Two simulated models, weak and strong, traces on, and the given route. */
  private Path writeConfig(String route) throws IOException {
    return Files.writeString(
        dir.resolve("gateway.yaml"),
        """
        traces: {path: %s}
        server: {access-log: false}
        deployments:
          - {name: weak-sim, provider: sim}
          - {name: strong-sim, provider: sim}
        models:
          - {name: weak, deployments: [weak-sim], pricing: {input: 0.1, output: 0.4}}
          - {name: strong, deployments: [strong-sim], pricing: {input: 5, output: 15}}
        routes:
        """
                .formatted(dir.resolve("traces.db"))
            + route.indent(2));
  }

  /**
   * {@code train} on 32 prompts: the weak model fails every calculus prompt and answers every
   * greeting; the strong one answers all.
   */
  /** A promise kept on the 6 held-out prompts, with the held-out greetings on the weak model. */
  private static void assertPromiseKept(JsonNode calibration) {
    assertThat(calibration.path("promise").path("met").asBoolean()).isTrue();
    assertThat(calibration.path("promise").path("prompts").asInt()).isEqualTo(6);
    assertThat(calibration.path("strong_share").asDouble())
        .as("the held-out greetings go to the weak model")
        .isLessThan(1.0);
  }

  private static String calculusPrompt(int i) {
    return "Evaluate the definite integral of x^"
        + (i + 2)
        + " * sin(x) from 0 to pi, showing each step.";
  }

  private static String greetingPrompt(int i) {
    return "Write a short friendly birthday greeting for my friend " + NAMES.get(i) + ".";
  }

  private Processes.Result train(Path config, String route, String... extra) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < NAMES.size(); i++) {
      lines.add(
          "{\"id\": \"calc"
              + i
              + "\", \"prompt\": \""
              + calculusPrompt(i)
              + "\","
              + " \"outcomes\": {\"weak\": {\"quality\": 0}, \"strong\": {\"quality\": 1}}}");
      lines.add(
          "{\"id\": \"hello"
              + i
              + "\", \"prompt\": \""
              + greetingPrompt(i)
              + "\","
              + " \"outcomes\": {\"weak\": {\"quality\": 1}, \"strong\": {\"quality\": 1}}}");
    }
    Path outcomes = Files.write(dir.resolve("outcomes.jsonl"), lines);
    Path prices =
        Files.writeString(
            dir.resolve("prices.yaml"),
            "models:\n  weak: {input: 0.1, output: 0.4}\n  strong: {input: 5, output: 15}\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--dataset",
                outcomes.toString(),
                "--prices",
                prices.toString(),
                "--config",
                config.toString(),
                "--policy",
                route,
                "--embedding-cache",
                dir.resolve("embeddings").toString()));
    args.addAll(List.of(extra));
    Processes.Result trained =
        Processes.run(
            dir,
            Duration.ofMinutes(2),
            Processes.javaCommand(args.toArray(String[]::new)).toArray(String[]::new));
    assertThat(trained.exitCode()).as(trained.output()).isZero();
    return trained;
  }

  private Processes.Result validate(Path config) throws IOException, InterruptedException {
    return Processes.run(
        dir,
        Duration.ofMinutes(1),
        Processes.javaCommand("validate", config.toString()).toArray(String[]::new));
  }

  private Served serve(Path config) throws IOException, InterruptedException {
    return new Served(ServeProcess.start(dir, config));
  }

  /**
   * A running {@code serve} process; closing it stops it (SIGTERM) and waits, so its traces are
   * flushed.
   */
  private record Served(ServeProcess serve) implements AutoCloseable {
    HttpResponse<String> chat(String model, String prompt) throws Exception {
      String body =
          "{\"model\": \""
              + model
              + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
              + prompt
              + "\"}]}";
      HttpResponse<String> answer = post("/v1/chat/completions", body);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      return answer;
    }

    String model(String route, String prompt) throws Exception {
      return chat(route, prompt).headers().firstValue("x-signalbox-model").orElseThrow();
    }

    /**
     * Feedback on a request whose trace may still be in the writer's queue: retried until it is
     * stored.
     */
    void awaitFeedback(String id, double score) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        HttpResponse<String> answer =
            post("/v1/feedback", "{\"request_id\": \"" + id + "\", \"score\": " + score + "}");
        if (answer.statusCode() == 200 || System.nanoTime() > deadline) {
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
          return;
        }
        Thread.sleep(20);
      }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
      return serve.post(path, body, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
      boolean stopped = serve.terminate(Duration.ofSeconds(30));
      serve.close();
      assertThat(stopped).as("serve stops on SIGTERM; it printed:%n%s", serve.output()).isTrue();
    }
  }
}
