package dev.signalbox.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.signalbox.core.config.ConfigException;
import dev.signalbox.eval.EvalFixtures;
import dev.signalbox.eval.policy.RouteFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each reader on a small fixture of its format, and the errors bad input gets. */
class ReadersTest {
  private static final String STRONG = "gpt-4-1106-preview";
  private static final String WEAK = "mistralai/Mixtral-8x7B-Instruct-v0.1";

  @TempDir Path dir;

  @Test
  void routeLlmGsm8kReadsQuotedMultiLineAnswersAndDropsContaminatedPrompts() throws IOException {
    Files.writeString(
        dir.resolve("gsm8k_responses.csv"),
        String.join(
            "\n",
            "prompt," + WEAK + "," + STRONG + "," + WEAK + "_response," + STRONG + "_response",
            "\"Tom has 3 apples, eats 1. How many?\",True,True,\" He has 3.\n"
                + "He eats 1, so 2.\",\"2\"",
            "\"A contaminated, leaked question\",False,True,x,y",
            "\"Sum 2 and \"\"3\"\"\",False,True,\"6\",\"5\"",
            ""));
    Files.writeString(
        dir.resolve("contaminated_prompts.jsonl"),
        "{\"train_prompt\": \"A leaked question\", \"eval_prompt\": \"A contaminated, leaked"
            + " question\"}\n");
    Dataset data = new RouteLlmReader().read(dir);
    assertThat(data.models()).containsExactly(WEAK, STRONG);
    assertThat(data.prompts()).hasSize(2);
    assertThat(data.prompts().get(1).messages().get(0).text()).isEqualTo("Sum 2 and \"3\"");
    assertThat(data.prompts().get(0).outcome(WEAK).response())
        .isEqualTo(" He has 3.\nHe eats 1, so 2.");
    assertThat(data.prompts().get(0).outcome(WEAK).outputTokens().getAsLong()).isPositive();
    assertThat(Dataset.meanQuality(data.prompts(), STRONG)).isEqualTo(1.0);
    assertThat(Dataset.meanQuality(data.prompts(), WEAK)).isEqualTo(0.5);
    assertThat(data.notes().get(0)).contains("1 contaminated prompts dropped");
  }

  @Test
  void routeLlmMmluTakesTheSubjectFromEachFileName() throws IOException {
    Files.createDirectories(dir.resolve("responses"));
    Files.writeString(
        dir.resolve("responses/mmlu_anatomy.csv"),
        "prompt," + WEAK + "," + STRONG + "\n\"Q1\nA. x\nAnswer:\",True,False\n");
    Files.writeString(
        dir.resolve("responses/mmlu_virology.csv"),
        "prompt," + WEAK + "," + STRONG + "\nQ2,False,True\nQ3,True,True\n");
    Dataset data = new RouteLlmReader().read(dir);
    assertThat(data.prompts())
        .extracting(EvalPrompt::task)
        .containsExactly("anatomy", "virology", "virology");
    assertThat(data.hasSplit()).isFalse();
  }

  @Test
  void routeLlmMmluRejectsAValueThatIsNotTrueOrFalseNamingFileLineAndColumn() throws IOException {
    Files.createDirectories(dir.resolve("responses"));
    Files.writeString(
        dir.resolve("responses/mmlu_anatomy.csv"),
        "prompt," + WEAK + "," + STRONG + "\nQ1,True,False\nQ2,maybe,False\n");
    assertThatThrownBy(() -> new RouteLlmReader().read(dir))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(
            "mmlu_anatomy.csv:3: " + WEAK + ": expected True or False, got 'maybe'");
  }

  @Test
  void routeLlmMtBenchAveragesBothTurnsOnTheJudgeScale() throws IOException {
    Files.writeString(
        dir.resolve("question.jsonl"),
        String.join(
            "\n",
            "{\"question_id\": 81, \"category\": \"writing\", \"turns\": [\"Write a poem.\","
                + " \"Shorter.\"]}",
            "{\"question_id\": 82, \"category\": \"math\", \"turns\": [\"Leaked one.\","
                + " \"Again.\"]}",
            ""));
    StringBuilder judgements = new StringBuilder();
    int[][] scores = {{81, 9, 7}, {82, 5, 5}};
    for (int[] q : scores) {
      for (int turn = 1; turn <= 2; turn++) {
        judgements
            .append("{\"question_id\": ")
            .append(q[0])
            .append(", \"model\": \"")
            .append(STRONG)
            .append("\", \"turn\": ")
            .append(turn)
            .append(", \"score\": ")
            .append(q[1] + turn - 1)
            .append("}\n");
        judgements
            .append("{\"question_id\": ")
            .append(q[0])
            .append(", \"model\": \"")
            .append(WEAK)
            .append("\", \"turn\": ")
            .append(turn)
            .append(", \"score\": ")
            .append(q[2])
            .append("}\n");
      }
    }
    Files.writeString(dir.resolve("judgements.jsonl"), judgements);
    Files.writeString(dir.resolve("contaminated_prompts.jsonl"), "{\"eval_prompt\": \"Again.\"}\n");
    Dataset data = new RouteLlmReader().read(dir);
    assertThat(data.scale()).isEqualTo(new QualityScale(1, 10));
    assertThat(data.prompts()).hasSize(1);
    assertThat(data.prompts().get(0).quality(STRONG)).isEqualTo(9.5);
    assertThat(data.prompts().get(0).quality(WEAK)).isEqualTo(7.0);
    assertThat(data.prompts().get(0).messages()).hasSize(1);
    assertThat(data.prompts().get(0).task()).isEqualTo("writing");
  }

  @Test
  void llmRouterKeepsModelsBothPricedAndScoredAndToleratesAMissingClusterId() throws IOException {
    Files.createDirectories(dir.resolve("dcrouter_preprocessed"));
    Files.createDirectories(dir.resolve("query_data"));
    Files.createDirectories(dir.resolve("llm_candidates"));
    Files.writeString(
        dir.resolve("dcrouter_preprocessed/train.json"),
        "[{\"question\": \"Q one\", \"scores\": {\"a\": 1, \"b\": 0, \"unpriced\": 1},"
            + " \"cluster_id\": 3}]");
    Files.writeString(
        dir.resolve("dcrouter_preprocessed/test.json"),
        "[{\"question\": \"Q two\u2028still two\", \"scores\": {\"a\": 0.5, \"b\": 1, \"unpriced\":"
            + " 0}}]");
    Files.writeString(
        dir.resolve("query_data/default_query_test.jsonl"),
        "{\"task_name\": \"logic\", \"query\": \"Q two\u2028still two\"}\n");
    Files.writeString(
        dir.resolve("llm_candidates/default_llm.json"),
        "{\"a\": {\"input_price\": 0.2, \"output_price\": 0.2}, \"b\": {\"input_price\": 0.9,"
            + " \"output_price\": 0.9}, \"never-scored\": {\"input_price\": 1, \"output_price\":"
            + " 1}}");
    Dataset data = new LlmRouterReader().read(dir);
    assertThat(data.models()).containsExactly("a", "b");
    assertThat(data.prompts()).extracting(EvalPrompt::split).containsExactly("train", "test");
    assertThat(data.prompts().get(1).task()).isEqualTo("logic");
    assertThat(data.notes().get(0)).contains("unpriced");
    Dataset priced = data.priced(data.prices(), EvalFixtures.tokens());
    long tokens =
        EvalFixtures.tokens().countPrompt(data.prompts().get(1).messages(), java.util.List.of());
    assertThat(priced.prompts().get(1).cost("b"))
        .isCloseTo((tokens + PriceList.DEFAULT_OUTPUT_TOKENS) * 0.9 / 1e6, within(1e-15));
  }

  @Test
  void outcomesErrorsNameFileLineAndField() throws IOException {
    Path file = dir.resolve("data.jsonl");
    Files.writeString(
        file,
        "{\"id\": 1, \"prompt\": \"hi\", \"outcomes\": {\"a\": {\"quality\": 1}}}\n"
            + "{\"id\": 2, \"prompt\": \"yo\", \"outcomes\": {\"a\": {\"quality\": 1.5}}}\n");
    assertThatThrownBy(() -> new OutcomesReader().read(file))
        .hasMessage(file + ":2: outcomes.a.quality: expected a quality in [0, 1], got 1.5");
    Files.writeString(
        file, "{\"id\": 1, \"prompt\": \"hi\", \"outcomes\": {\"a\": {\"quality\": NaN}}}\n");
    assertThatThrownBy(() -> new OutcomesReader().read(file))
        .hasMessageStartingWith(file + ":1: not valid JSON");
    Files.writeString(
        file, "{\"id\": 1, \"prompt\": \"hi\", \"outcomes\": {\"a\": {\"quality\": \"high\"}}}\n");
    assertThatThrownBy(() -> new OutcomesReader().read(file))
        .hasMessage(file + ":1: outcomes.a.quality: expected a finite number, got \"high\"");
    Files.writeString(
        file,
        "{\"id\": 1, \"prompt\": \"hi\", \"outcomes\": {\"a\": {\"quality\": 1}}}\n"
            + "{\"id\": 2, \"prompt\": \"x\", \"outcomes\": {\"b\": {\"quality\": 1}}}\n");
    assertThatThrownBy(() -> new OutcomesReader().read(file))
        .hasMessageContaining(file + ":2: outcomes: models [b] differ");
    assertThatThrownBy(() -> new OutcomesReader().read(dir.resolve("missing.jsonl")))
        .hasMessageEndingWith("missing.jsonl: file not found");
  }

  @Test
  void aDataSetWithoutCostsNeedsEveryModelPriced() throws IOException {
    Path file = dir.resolve("data.jsonl");
    Files.writeString(
        file,
        "{\"id\": 1, \"prompt\": \"hi\", \"outcomes\": {\"a\": {\"quality\": 1, \"input_tokens\":"
            + " 1000, \"output_tokens\": 10}, \"b\": {\"quality\": 0}}}\n");
    Path prices = dir.resolve("prices.yaml");
    Files.writeString(prices, "models:\n  a: {input: 2.0, output: 4.0}\n");
    Dataset data = new OutcomesReader().read(file);
    assertThatThrownBy(() -> data.priced(PriceList.read(prices), EvalFixtures.tokens()))
        .hasMessageContaining("no price for b");
    Files.writeString(
        prices, "models:\n  a: {input: 2.0, output: 4.0}\n  b: {input: -1, output: 1}\n");
    assertThatThrownBy(() -> PriceList.read(prices)).hasMessageContaining("models.b.input");
    Files.writeString(
        prices, "models:\n  a: {input: 2.0, output: 4.0}\n  b: {input: 1, output: 1}\n");
    assertThat(
            data.priced(PriceList.read(prices), EvalFixtures.tokens()).prompts().get(0).cost("a"))
        .isCloseTo(0.00204, within(1e-12));
  }

  @Test
  void costsWithoutPricesGiveEachModelItsRateFromTheTrainingPrompts() throws IOException {
    Path file = dir.resolve("data.jsonl");
    Files.writeString(
        file,
        "{\"id\": 1, \"prompt\": \"hi\", \"split\": \"train\", \"outcomes\": {\"a\": {\"quality\":"
            + " 1, \"cost_usd\": 0.002, \"input_tokens\": 900, \"output_tokens\": 100}, \"b\":"
            + " {\"quality\": 0, \"cost_usd\": 0.0001, \"input_tokens\": 900, \"output_tokens\":"
            + " 100}}}\n"
            // A test prompt's costs must not leak into the prices.
            + "{\"id\": 2, \"prompt\": \"yo\", \"split\": \"test\", \"outcomes\": {\"a\":"
            + " {\"quality\": 1, \"cost_usd\": 9, \"input_tokens\": 1, \"output_tokens\": 1},"
            + " \"b\": {\"quality\": 1, \"cost_usd\": 9, \"input_tokens\": 1, \"output_tokens\":"
            + " 1}}}\n");
    PriceList derived =
        PriceList.derived(new OutcomesReader().read(file), EvalFixtures.tokens(), 256);
    // $0.002 over 1,000 tokens is $2 per million; $0.0001 is $0.10.
    assertThat(derived.pricing("a").orElseThrow().inputPerMillion()).isCloseTo(2.0, within(1e-9));
    assertThat(derived.pricing("b").orElseThrow().outputPerMillion()).isCloseTo(0.1, within(1e-9));
    assertThat(derived.source()).contains("1 training prompts");
  }

  @Test
  void aPolicyNamingAModelTheDataLacksIsRefusedWithTheRouteAndField() throws IOException {
    Path file = dir.resolve("data.jsonl");
    Files.writeString(
        file,
        "{\"id\": 1, \"prompt\": \"hi\", \"outcomes\": {\"a\": {\"quality\": 1, \"cost_usd\":"
            + " 0.1}}}\n");
    Path policies = dir.resolve("policies.yaml");
    Files.writeString(
        policies, "routes:\n  - name: r\n    policy: priority\n    models: [a, gpt-5]\n");
    Dataset data = new OutcomesReader().read(file);
    assertThatThrownBy(
            () -> RouteFile.load(policies, data, PriceList.NONE, EvalFixtures.policies()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("policies.yaml")
        .hasMessageContaining("routes[0].models[1]: unknown model 'gpt-5'");
  }
}
