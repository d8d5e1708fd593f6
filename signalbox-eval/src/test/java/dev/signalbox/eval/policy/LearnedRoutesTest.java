package dev.signalbox.eval.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.eval.EvalFixtures;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.EvalPrompt;
import dev.signalbox.eval.data.OutcomesReader;
import dev.signalbox.eval.data.PriceList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learned routes in the evaluator, with the real embeddings: each fitted on the training part,
 * their knob agrees with what the route decides through the router at the configured setting, and
 * the learned threshold tells the two kinds of prompt apart on prompts it never saw.
 */
class LearnedRoutesTest {
  @TempDir Path dir;

  @Test
  void theKnobOfEachLearnedRouteAgreesWithTheRouterAtItsConfiguredSetting() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      String split = i < 16 ? "train" : "test";
      lines.add(
          "{\"id\": \"calc"
              + i
              + "\", \"split\": \""
              + split
              + "\", \"prompt\": \"Evaluate the definite integral of x^"
              + (i + 2)
              + " * sin(x) from 0 to pi, step by step.\", \"outcomes\": {\"weak\": {\"quality\":"
              + " 0}, \"strong\": {\"quality\": 1}}}");
      lines.add(
          "{\"id\": \"hello"
              + i
              + "\", \"split\": \""
              + split
              + "\", \"prompt\": \"Write a short friendly birthday greeting for my friend number "
              + i
              + ".\", \"outcomes\": {\"weak\": {\"quality\": 1}, \"strong\": {\"quality\": 1}}}");
    }
    Files.write(dir.resolve("outcomes.jsonl"), lines);
    Files.writeString(
        dir.resolve("prices.yaml"),
        "models:\n  weak: {input: 0.1, output: 0.4}\n  strong: {input: 5, output: 15}\n");
    Files.writeString(
        dir.resolve("policies.yaml"),
        """
        routes:
          - {name: knn, policy: threshold, models: [strong, weak], threshold: {strong: strong, weak: weak, value: 0.3},
             scorer: {kind: knn, k: 5, smoothing: 1}}
          - {name: balanced, policy: objective, models: [strong, weak], scorer: {kind: knn, k: 5, smoothing: 1},
             objective: {preset: balanced}}
        """);
    PriceList prices = PriceList.read(dir.resolve("prices.yaml")).orElse(PriceList.NONE);
    Dataset data =
        new OutcomesReader()
            .read(dir.resolve("outcomes.jsonl"))
            .priced(prices, EvalFixtures.tokens());
    EvalContext context = EvalFixtures.context(data, 7);
    List<EvalPrompt> train =
        data.prompts().stream().filter(p -> p.split().equals("train")).toList();
    List<EvalPrompt> test = data.prompts().stream().filter(p -> p.split().equals("test")).toList();
    List<OfflinePolicy> routes =
        RouteFile.load(dir.resolve("policies.yaml"), data, prices, EvalFixtures.policies());

    FittedPolicy threshold = routes.get(0).fit(train, context);
    Knob.Threshold knob = (Knob.Threshold) threshold.knob();
    for (EvalPrompt prompt : test) {
      assertThat(knob.chooseAt(prompt, 0.3)).as(prompt.id()).isEqualTo(threshold.choose(prompt));
      assertThat(threshold.choose(prompt))
          .as(prompt.id())
          .isEqualTo(prompt.id().startsWith("calc") ? "strong" : "weak");
    }

    FittedPolicy objective = routes.get(1).fit(train, context);
    Knob.Grid grid = (Knob.Grid) objective.knob();
    int balancedCostWeight = grid.labels().indexOf("cost weight 0.3");
    assertThat(balancedCostWeight).isNotNegative();
    for (EvalPrompt prompt : test) {
      assertThat(grid.chooseAt(prompt, balancedCostWeight))
          .as(prompt.id())
          .isEqualTo(objective.choose(prompt));
    }
    // With no cost weight the predicted quality alone decides: the strong model, which never does
    // worse.
    assertThat(test)
        .allSatisfy(
            p ->
                assertThat(grid.chooseAt(p, grid.labels().indexOf("cost weight 0.0")))
                    .isEqualTo("strong"));
  }
}
