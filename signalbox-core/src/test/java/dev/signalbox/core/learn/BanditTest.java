package dev.signalbox.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.signalbox.api.Candidate;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Pricing;
import dev.signalbox.api.ResponseFormat;
import dev.signalbox.api.Role;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.BanditPolicySpec;
import dev.signalbox.core.config.BanditSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.policies.BanditPolicy;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.text.SignalSources;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bandits learn which model serves which kind of prompt from the reward of their own choices alone.
 */
class BanditTest {
  private static final List<Candidate> CANDIDATES =
      List.of(
          new Candidate("strong", new Pricing(1, 1, 1), 100_000, 0),
          new Candidate("weak", new Pricing(1, 1, 1), 100_000, 0));
  // Texts starting with "hard" embed at one centre, the rest at another.
  private static final Embeddings EMBEDDINGS =
      Embeddings.over(
          "fake",
          texts ->
              texts.stream()
                  .map(
                      t ->
                          t.startsWith("hard")
                              ? LearnedScorersTest.HARD_CENTRE
                              : LearnedScorersTest.EASY_CENTRE)
                  .toList());

  private static RouteSpec route(String algorithm, double budget) {
    RouteSpec base = LearnedRoutes.route("b", "bandit", "knn", List.of("strong", "weak"));
    BanditPolicySpec learned = (BanditPolicySpec) base.spec();
    BanditSpec bandit =
        new BanditSpec(
            algorithm, algorithm.equals("thompson") ? 0.5 : 1.5, 0, 0, budget, 2, Optional.empty());
    return base.withSpec(
        new BanditPolicySpec(
            learned.scorer(),
            learned.embed(),
            learned.window(),
            learned.prefixes(),
            learned.encoder(),
            learned.artifact(),
            bandit));
  }

  private static BanditSpec bandit(RouteSpec route) {
    return ((BanditPolicySpec) route.spec()).bandit();
  }

  private static BanditPolicy policy(
      RouteSpec route, LearnedArtifact artifact, BanditLearner learner) {
    return new BanditPolicy(
        route, bandit(route), artifact, learner, CANDIDATES, TestConfigs.tokens());
  }

  private static BanditLearner learner(RouteSpec route, LearnedArtifact artifact) {
    return new BanditLearner(
        route.models(), BanditLearner.dimensions(artifact), Optional.empty(), Runnable::run);
  }

  private static LearnedArtifact artifact(RouteSpec route) {
    return Training.fit(
        route,
        LearnedRoutes.learned(route),
        LearnedScorersTest.data(100, 1),
        java.util.Optional.empty(),
        "fake",
        "h",
        "t",
        Training.Target.NONE,
        3);
  }

  private static RequestSignals signals(String text) {
    ChatRequest request =
        new ChatRequest(
            "b",
            List.of(ChatMessage.text(Role.USER, text)),
            false,
            false,
            OptionalInt.empty(),
            OptionalDouble.empty(),
            List.of(),
            MissingNode.getInstance(),
            ResponseFormat.TEXT,
            List.of(),
            1,
            "",
            Map.of(),
            JsonNodeFactory.instance.objectNode());
    return new RequestSignals(
        request, Map.of(), "t", 100, new SignalSources(TestConfigs.tokens(), () -> EMBEDDINGS));
  }

  /**
   * The weak model answers easy prompts perfectly and hard ones never; the strong one 0.8 always.
   */
  private static double reward(String model, boolean hard) {
    return model.equals("strong") ? 0.8 : hard ? 0 : 1;
  }

  private static PolicyResult.Ranked decide(BanditPolicy policy, String text, long seed) {
    return (PolicyResult.Ranked)
        policy.decide(new PolicyInput(signals(text), CANDIDATES, PoolSnapshot.EMPTY, seed));
  }

  @Test
  void linUcbAndThompsonLearnWhichModelEachKindOfPromptNeeds() throws Exception {
    for (String algorithm : List.of("linucb", "thompson")) {
      RouteSpec route = route(algorithm, 1);
      LearnedArtifact artifact = artifact(route);
      BanditLearner learner = learner(route, artifact);
      BanditPolicy policy = policy(route, artifact, learner);
      SplittableRandom random = new SplittableRandom(5);
      for (int step = 0; step < 400; step++) {
        boolean hard = random.nextBoolean();
        String text = (hard ? "hard question " : "easy question ") + step;
        String chosen = decide(policy, text, step).order().get(0).model();
        learner
            .reward(
                chosen, BanditPolicy.context(artifact, signals(text)), reward(chosen, hard), false)
            .get();
      }
      assertThat(learner.get().version()).isEqualTo(400);
      int right = 0;
      for (int probe = 0; probe < 40; probe++) {
        right +=
            decide(policy, "hard probe " + probe, 10_000 + probe)
                    .order()
                    .get(0)
                    .model()
                    .equals("strong")
                ? 1
                : 0;
        right +=
            decide(policy, "easy probe " + probe, 20_000 + probe)
                    .order()
                    .get(0)
                    .model()
                    .equals("weak")
                ? 1
                : 0;
      }
      // A policy that ignores the kind of prompt gets 40 of 80; Thompson keeps sampling, so a few
      // probes explore.
      assertThat(right).as(algorithm).isGreaterThanOrEqualTo(70);
      assertThat(decide(policy, "hard probe", 1).order().get(0).reason())
          .startsWith(algorithm + " v400: expected reward");
    }
  }

  @Test
  void theKnobWeighsEachArmsCostAgainWithoutTeachingTheLearnerAgain() throws Exception {
    RouteSpec route = route("linucb", 1);
    LearnedArtifact artifact = artifact(route);
    BanditLearner learner = learner(route, artifact);
    List<Candidate> priced =
        List.of(
            new Candidate("strong", new Pricing(10, 10, 10), 100_000, 0),
            new Candidate("weak", new Pricing(1, 1, 1), 100_000, 0));
    BanditPolicy policy =
        new BanditPolicy(route, bandit(route), artifact, learner, priced, TestConfigs.tokens());
    double[] x = BanditPolicy.context(artifact, signals("hard"));
    for (int step = 0; step < 50; step++) {
      learner.reward("strong", x, 0.8, false).get();
      learner.reward("weak", x, 0.5, false).get();
    }
    // The route's penalty is 0: strong's 0.8 beats weak's 0.5 until cost weighs 0.8 - p against
    // 0.5 - p / 10, that is from p = 1/3.
    assertThat(policy.greedyAt(signals("hard"), 0)).isEqualTo("strong");
    assertThat(policy.greedyAt(signals("hard"), 0.3)).isEqualTo("strong");
    assertThat(policy.greedyAt(signals("hard"), 0.4)).isEqualTo("weak");
    assertThat(policy.greedyAt(signals("hard"), 3)).isEqualTo("weak");
    assertThat(learner.get().version()).isEqualTo(100);
  }

  @Test
  void thompsonsPropensityIsTheShareOfSeededDrawsAndTheSameSeedDecidesTheSame() {
    RouteSpec route = route("thompson", 1);
    LearnedArtifact artifact = artifact(route);
    BanditPolicy policy = policy(route, artifact, learner(route, artifact));
    PolicyResult.Ranked first = decide(policy, "easy", 42);
    PolicyResult.Ranked again = decide(policy, "easy", 42);
    assertThat(again.order()).isEqualTo(first.order());
    assertThat(first.probabilities().values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(first.propensity())
        .isEqualTo(first.probabilities().get(first.order().get(0).model()));
    // Untrained, both arms are equally likely: neither share is far from a half.
    assertThat(first.probabilities().get("strong")).isBetween(0.35, 0.65);
  }

  @Test
  void aSpentExplorationBudgetTakesTheGreedyArm() throws Exception {
    RouteSpec route = route("linucb", 0);
    LearnedArtifact artifact = artifact(route);
    BanditLearner learner = learner(route, artifact);
    BanditPolicy policy = policy(route, artifact, learner);
    double[] x = BanditPolicy.context(artifact, signals("easy"));
    for (int i = 0; i < 5; i++) {
      learner.reward("strong", x, 0.6, false).get();
    }
    // LinUCB would try the untried weak arm (its width is larger); with no budget it may not.
    PolicyResult.Ranked ranked = decide(policy, "easy", 1);
    assertThat(ranked.order().get(0).model()).isEqualTo("strong");
    assertThat(ranked.order().get(0).reason()).endsWith("exploration budget spent, greedy");
    RouteSpec generous = route("linucb", 1);
    assertThat(decide(policy(generous, artifact, learner), "easy", 1).order().get(0).model())
        .isEqualTo("weak");
  }

  @Test
  void theLearnedStateSurvivesARestartAndAStateOfOtherArmsIsRefused(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("bandit-state.json");
    BanditLearner learner =
        new BanditLearner(List.of("strong", "weak"), 3, Optional.of(file), Runnable::run);
    learner.reward("weak", new double[] {1, 0, 1}, 0.9, true).get();
    learner.reward("strong", new double[] {1, 1, 0}, 0.4, false).get();
    learner.close();
    BanditLearner restarted =
        new BanditLearner(List.of("strong", "weak"), 3, Optional.of(file), Runnable::run);
    assertThat(restarted.get().version()).isEqualTo(2);
    assertThat(restarted.get().explored()).isEqualTo(1);
    assertThat(restarted.get().mean(1, new double[] {1, 0, 1}))
        .isEqualTo(learner.get().mean(1, new double[] {1, 0, 1}));
    assertThatThrownBy(
            () ->
                new BanditLearner(
                    List.of("strong", "weak", "new"), 3, Optional.of(file), Runnable::run))
        .hasMessageContaining("the bandit state is for arms [strong, weak]")
        .hasMessageContaining(file.toString());
  }
}
