package dev.signalbox.eval.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.config.ScorerSpec;
import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.eval.EvalFixtures;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.OutcomesReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tuned scorer embeds its training prompts with the encoder it tunes, so building its training
 * set never runs the frozen encoder; every other scorer's set is embedded by it.
 */
class TrainingDataTest {
  private static final String LONG_QUESTION = "Why is the sky blue? ".repeat(200);

  @TempDir Path dir;

  @Test
  void aTunedScorersTrainingSetIsNotEmbeddedByTheFrozenEncoder() throws Exception {
    Supplier<TextEmbedder> refusing =
        () -> {
          throw new AssertionError("the frozen encoder was asked for");
        };
    EvalContext context =
        new EvalContext(
            dataset(),
            7,
            new SignalSources(EvalFixtures.tokens(), refusing),
            EvalFixtures.policies());

    TrainingData.Embedded embedded =
        TrainingData.of(context.dataset().prompts(), context, spec("tuned", "tail"));

    assertThat(List.of(embedded.set().embeddings()))
        .hasSize(2)
        .allSatisfy(v -> assertThat(v).isEmpty());
    TrainingData.Embedded frozen =
        TrainingData.of(
            context.dataset().prompts(),
            EvalFixtures.context(context.dataset(), 7),
            spec("knn", "tail"));
    assertThat(embedded.set().texts())
        .as("the span of each prompt its window reads, as the frozen encoder reads it")
        .isEqualTo(frozen.set().texts())
        .hasSize(2);
    assertThat(embedded.set().texts().get(1)).hasSizeLessThan(LONG_QUESTION.length());
  }

  @Test
  void anyOtherScorersTrainingSetIsEmbeddedByTheFrozenEncoder() throws Exception {
    EvalContext context = EvalFixtures.context(dataset(), 7);

    TrainingData.Embedded embedded =
        TrainingData.of(context.dataset().prompts(), context, spec("knn", "head"));

    assertThat(List.of(embedded.set().embeddings()))
        .hasSize(2)
        .allSatisfy(v -> assertThat(v).hasSize(384));
  }

  private Dataset dataset() throws Exception {
    Path file = dir.resolve("outcomes.jsonl");
    Files.write(
        file,
        List.of(
            "{\"id\": \"a\", \"prompt\": \"Say hello.\", \"outcomes\": {\"weak\": {\"quality\": 1,"
                + " \"cost_usd\": 0.001}, \"strong\": {\"quality\": 1, \"cost_usd\": 0.01}}}",
            "{\"id\": \"b\", \"prompt\": \""
                + LONG_QUESTION
                + "\", \"outcomes\": {\"weak\": {\"quality\": 0, \"cost_usd\": 0.001}, \"strong\":"
                + " {\"quality\": 1, \"cost_usd\": 0.01}}}"));
    return new OutcomesReader().read(file);
  }

  private static LearnedPolicySpec spec(String scorer, String window) {
    ScorerSpec scorerSpec = new ScorerSpec(scorer, 5, 1, 16, 1, 8, 1);
    return new LearnedPolicySpec() {
      @Override
      public ScorerSpec scorer() {
        return scorerSpec;
      }

      @Override
      public String embed() {
        return "last-user";
      }

      @Override
      public String window() {
        return window;
      }

      @Override
      public String prefixes() {
        return "keep";
      }

      @Override
      public String encoder() {
        return "";
      }

      @Override
      public Optional<Path> artifact() {
        return Optional.empty();
      }
    };
  }
}
