package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code signalbox eval} end to end on a generated outcomes file: table, JSON, report, bad input.
 */
@Timeout(120)
class EvalCommandTest {
  @TempDir Path dir;
  private Path data;
  private Path policies;

  @BeforeEach
  void writeData() throws Exception {
    SplittableRandom random = new SplittableRandom(1);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      double hardness = random.nextDouble();
      boolean hard = hardness > 0.5;
      int weak = random.nextDouble() < (hard ? 0.3 : 0.8) ? 1 : 0;
      int strong = random.nextDouble() < (hard ? 0.8 : 0.9) ? 1 : 0;
      lines.add(
          String.format(
              Locale.ROOT,
              "{\"id\": \"q%d\", \"prompt\": \"%s question %d\", \"task\": \"%s\", \"scores\":"
                  + " {\"hard\": %.3f}, \"outcomes\": {\"small\": {\"quality\": %d,"
                  + " \"input_tokens\": 100, \"output_tokens\": 50, \"latency_ms\": 120},"
                  + " \"large\": {\"quality\": %d, \"input_tokens\": 100, \"output_tokens\": 80,"
                  + " \"latency_ms\": 900}}}",
              i,
              hard ? "prove the hard" : "say the easy",
              i,
              hard ? "math" : "chat",
              hardness,
              weak,
              strong));
    }
    data = dir.resolve("data.jsonl");
    Files.write(data, lines);
    Files.writeString(
        dir.resolve("prices.yaml"),
        "models:\n  small: {input: 0.1, output: 0.2}\n  large: {input: 5, output: 15}\n");
    policies = dir.resolve("policies.yaml");
    Files.writeString(
        policies,
        """
        routes:
          - name: by-hardness
            policy: score
            models: [large, small]
            threshold: {strong: large, weak: small, value: 0.5, score: hard}
          - name: keywords
            policy: rules
            rules:
              - {name: hard, keywords: [prove], route: large-only}
            default: small-only
          - {name: large-only, policy: priority, models: [large]}
          - {name: small-only, policy: priority, models: [small]}
        """);
  }

  @Test
  void printsTheTableWithEveryRouteAndBaselineAndTheSeed() {
    CliTest.Run run =
        CliTest.run(
            "eval",
            "--dataset",
            data.toString(),
            "--prices",
            dir.resolve("prices.yaml").toString(),
            "--policies",
            policies.toString(),
            "--seed",
            "3");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("split cv:5, seed 3");
    assertThat(run.out())
        .contains(
            "by-hardness",
            "keywords",
            "only:small",
            "only:large",
            "random",
            "oracle",
            "prompt-length",
            "task-prior",
            "APGR");
  }

  @Test
  void jsonIsKeyedByPolicyAndTheSameForTheSameSeed() throws Exception {
    String[] args = {
      "eval",
      "--dataset",
      data.toString(),
      "--prices",
      dir.resolve("prices.yaml").toString(),
      "--policies",
      policies.toString(),
      "--json",
      "--split",
      "cv:4",
      "--seed",
      "11"
    };
    CliTest.Run first = CliTest.run(args);
    CliTest.Run second = CliTest.run(args);
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).isEqualTo(second.out());
    JsonNode json = Json.MAPPER.readTree(first.out());
    JsonNode byHardness = json.path("by-hardness");
    for (String field :
        List.of("quality", "quality_ci", "cost_usd", "aiq", "apgr", "cpt50", "cpt80")) {
      assertThat(byHardness.has(field)).as(field).isTrue();
    }
    // The score is the hardness, which decides who is right: routing on it beats random by far.
    assertThat(byHardness.path("apgr").asDouble())
        .isGreaterThan(json.path("random").path("apgr").asDouble() + 0.2);
    assertThat(json.path("keywords").path("quality").asDouble())
        .isGreaterThan(json.path("only:small").path("quality").asDouble());
    assertThat(json.path("only:large").path("latency_ms").asDouble()).isEqualTo(900.0);
    assertThat(json.path("oracle").path("quality").asDouble())
        .isGreaterThanOrEqualTo(json.path("only:large").path("quality").asDouble());
  }

  /**
   * A route whose scorer tunes the encoder is tuned on each fold's training part and routes that
   * fold's test part through the encoder it tuned: the text says which prompts are hard. With
   * {@code tuned+knn} a kNN vote over the tuned vectors of the fold's training part joins the head.
   */
  @Test
  // Four tunings in PyTorch (two routes, two folds): two took 95 s beside an MMLU tuning run and
  // over 120 s beside that and a CI build.
  @Timeout(600)
  void aTunedRouteIsTunedPerFoldAndRoutesByWhatThePromptSays() throws Exception {
    Path tuned =
        Files.writeString(
            dir.resolve("tuned.yaml"),
            """
            routes:
              - name: tuned
                policy: threshold
                models: [large, small]
                threshold: {strong: large, weak: small, value: 0}
                scorer: {kind: tuned, epochs: 8, hidden: 16}
              - name: tuned-knn
                policy: threshold
                models: [large, small]
                threshold: {strong: large, weak: small, value: 0}
                scorer: {kind: tuned+knn, epochs: 8, hidden: 16, k: 10, smoothing: 1}
              - name: by-hardness
                policy: score
                models: [large, small]
                threshold: {strong: large, weak: small, value: 0.5, score: hard}
            """);
    CliTest.Run run =
        CliTest.run(
            "eval",
            "--dataset",
            data.toString(),
            "--prices",
            dir.resolve("prices.yaml").toString(),
            "--policies",
            tuned.toString(),
            "--embedding-cache",
            dir.resolve("embeddings").toString(),
            "--json",
            "--split",
            "cv:2",
            "--seed",
            "5");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode json = Json.MAPPER.readTree(run.out());
    // Whether a prompt is hard decides who is right, and its text says so (and nothing more): both
    // tuned routes rank prompts about as well as the task's prior, which knows just that, and far
    // better than chance.
    for (String route : List.of("tuned", "tuned-knn")) {
      assertThat(json.path(route).path("apgr").asDouble())
          .as(route + " in " + run.out())
          .isGreaterThan(json.path("task-prior").path("apgr").asDouble() - 0.02)
          .isGreaterThan(json.path("random").path("apgr").asDouble() + 0.1);
    }
    // The blend's neighbours vote in the tuned encoder's space: it is a scorer of its own.
    assertThat(json.path("tuned-knn").path("apgr").asDouble())
        .isNotEqualTo(json.path("tuned").path("apgr").asDouble());
  }

  @Test
  void writesAnHtmlReportWithPngCharts() throws Exception {
    Path report = dir.resolve("report");
    CliTest.Run run =
        CliTest.run(
            "eval",
            "--dataset",
            data.toString(),
            "--prices",
            dir.resolve("prices.yaml").toString(),
            "--policies",
            policies.toString(),
            "--report",
            report.toString(),
            "--resamples",
            "100");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Files.readString(report.resolve("index.html")))
        .contains("by-hardness", "data:image/png;base64,");
    for (String png : List.of("quality-cost.png", "quality-strong-share.png")) {
      byte[] bytes = Files.readAllBytes(report.resolve(png));
      assertThat(bytes).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    }
  }

  @Test
  void badInputGetsOneClearErrorAndExitCodeTwo() throws Exception {
    CliTest.Run missing = CliTest.run("eval", "--dataset", dir.resolve("nope.jsonl").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.jsonl: no such file or folder");
    CliTest.Run format = CliTest.run("eval", "--dataset", data.toString(), "--format", "csv");
    assertThat(format.err())
        .contains("--format: unknown format 'csv' (known: outcomes, routellm, llmrouter, traces)");
    CliTest.Run unpriced = CliTest.run("eval", "--dataset", data.toString());
    assertThat(unpriced.exit()).isEqualTo(2);
    assertThat(unpriced.err())
        .contains("no price for small, large (give --prices FILE with every model)");
    CliTest.Run split =
        CliTest.run(
            "eval",
            "--dataset",
            data.toString(),
            "--prices",
            dir.resolve("prices.yaml").toString(),
            "--split",
            "test");
    assertThat(split.err()).contains("no prompts marked \"split\": \"test\"");
  }
}
