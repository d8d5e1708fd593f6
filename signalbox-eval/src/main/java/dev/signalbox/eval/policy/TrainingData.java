package dev.signalbox.eval.policy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ResponseFormat;
import dev.signalbox.api.TextWindow;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.embed.Vectors;
import dev.signalbox.core.learn.CheapFeatures;
import dev.signalbox.core.learn.Training;
import dev.signalbox.core.learn.TrainingSet;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.text.EmbeddedText;
import dev.signalbox.core.text.SharedPrefixes;
import dev.signalbox.core.text.TextWindows;
import dev.signalbox.eval.data.EvalPrompt;
import dev.signalbox.eval.data.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Prompts of a data set as learned routes see them: a request of the prompt's messages (the one a
 * route decides on offline), and a {@link TrainingSet} of their embeddings, cheap features, and
 * every model's quality and cost.
 */
public final class TrainingData {
  private TrainingData() {}

  /** The request a route decides on for a prompt: its messages and nothing else. */
  public static RequestSignals signals(
      EvalPrompt prompt,
      String route,
      Map<String, String> headers,
      long defaultMaxTokens,
      EvalContext context) {
    ChatRequest request =
        new ChatRequest(
            route,
            prompt.messages(),
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
    return new RequestSignals(request, headers, "eval", defaultMaxTokens, context.sources());
  }

  /**
   * A training set, and the shared beginnings learnt from its prompts when the route strips them.
   */
  public record Embedded(TrainingSet set, Optional<SharedPrefixes> prefixes) {}

  /**
   * The prompts embedded as {@code spec} reads them: its part, through its window, after the
   * beginnings the prompts share when it strips them (learnt here, from these prompts alone).
   */
  public static Embedded of(List<EvalPrompt> prompts, EvalContext context, LearnedPolicySpec spec) {
    List<String> texts =
        prompts.stream().map(p -> EmbeddedText.of(p.messages(), spec.embed())).toList();
    Optional<SharedPrefixes> prefixes =
        spec.stripsPrefixes() ? Optional.of(SharedPrefixes.learn(texts)) : Optional.empty();
    TextWindow window = TextWindows.of(spec.window(), prefixes.orElse(SharedPrefixes.NONE));
    // A tuned scorer embeds the texts with the encoder it tunes and never reads the frozen
    // encoder's vectors, so none are computed (a pass over every prompt, a minute a fold on MMLU).
    boolean frozenVectorsRead = !Training.tunes(spec.scorer());
    if (window == TextWindow.WHOLE) {
      float[][] embeddings =
          frozenVectorsRead
              ? context.embedder(spec.encoder()).get().embedAll(texts).toArray(new float[0][])
              : unembedded(texts.size());
      return new Embedded(of(prompts, context, embeddings, texts), prefixes);
    }
    int[][] cuts = new int[texts.size()][];
    List<String> spans = new ArrayList<>();
    for (int t = 0; t < cuts.length; t++) {
      cuts[t] = window.spans(texts.get(t));
      for (int i = 0; i < cuts[t].length; i += 2) {
        spans.add(texts.get(t).substring(cuts[t][i], cuts[t][i + 1]));
      }
    }
    List<String> read = spans.size() == texts.size() ? spans : List.of();
    if (!frozenVectorsRead) {
      return new Embedded(of(prompts, context, unembedded(texts.size()), read), prefixes);
    }
    // Every span in one batch, so the encoder runs on every core; each text's spans averaged.
    List<float[]> vectors = context.embedder(spec.encoder()).get().embedAll(spans);
    float[][] embeddings = new float[texts.size()][];
    int next = 0;
    for (int t = 0; t < cuts.length; t++) {
      int count = cuts[t].length / 2;
      List<float[]> own = vectors.subList(next, next + count);
      embeddings[t] = count == 1 ? own.get(0) : Vectors.meanDirection(own);
      next += count;
    }
    return new Embedded(of(prompts, context, embeddings, read), prefixes);
  }

  /** Vectors of no dimensions, one per prompt, for a scorer that embeds the texts itself. */
  private static float[][] unembedded(int prompts) {
    return new float[prompts][0];
  }

  /** {@code read}: per prompt, the one span of it the encoder read (empty: some read several). */
  private static TrainingSet of(
      List<EvalPrompt> prompts, EvalContext context, float[][] embeddings, List<String> read) {
    List<String> models = context.models();
    double[][] features = new double[prompts.size()][];
    double[][] quality = new double[prompts.size()][models.size()];
    double[][] cost = new double[prompts.size()][models.size()];
    double[] outputSum = new double[models.size()];
    int[] outputCount = new int[models.size()];
    double low = context.dataset().scale().min();
    double range = context.dataset().scale().max() - low;
    for (int i = 0; i < prompts.size(); i++) {
      EvalPrompt prompt = prompts.get(i);
      features[i] = CheapFeatures.of(signals(prompt, "train", Map.of(), 0, context));
      for (int m = 0; m < models.size(); m++) {
        Outcome outcome = prompt.outcome(models.get(m));
        quality[i][m] = range > 0 ? (outcome.quality() - low) / range : outcome.quality();
        cost[i][m] = prompt.cost(models.get(m));
        if (outcome.outputTokens().isPresent()) {
          outputSum[m] += outcome.outputTokens().getAsLong();
          outputCount[m]++;
        }
      }
    }
    double[] outputTokens = new double[models.size()];
    for (int m = 0; m < models.size(); m++) {
      outputTokens[m] =
          outputCount[m] > 0
              ? outputSum[m] / outputCount[m]
              : context.dataset().prices().assumedOutputTokens();
    }
    return new TrainingSet(models, embeddings, features, quality, cost, outputTokens, read);
  }

  /**
   * SHA-256 over the prompts' ids and every model's quality, in order: what an artifact was fitted
   * on.
   */
  public static String hash(List<EvalPrompt> prompts) {
    StringBuilder text = new StringBuilder();
    for (EvalPrompt prompt : prompts) {
      text.append(prompt.id());
      prompt
          .outcomes()
          .forEach(
              (model, outcome) ->
                  text.append('\t').append(model).append('=').append(outcome.quality()));
      text.append('\n');
    }
    return ConfigReader.sha256(text.toString());
  }
}
