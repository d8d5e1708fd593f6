package dev.signalbox.eval.policy;

import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.EvalPrompt;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What every policy of one evaluation shares: the data, the seed and a cache of prompt token
 * counts.
 */
public final class EvalContext {
  private final Dataset dataset;
  private final long seed;
  private final SignalSources sources;
  private final PolicyRegistry policies;
  private final Map<String, Long> promptTokens = new ConcurrentHashMap<>();

  /**
   * @param sources the token counter, and the embeddings learned routes read (asked for only when
   *     one does)
   * @param policies the policies a route may name
   */
  public EvalContext(Dataset dataset, long seed, SignalSources sources, PolicyRegistry policies) {
    this.dataset = dataset;
    this.seed = seed;
    this.sources = sources;
    this.policies = policies;
  }

  public SignalSources sources() {
    return sources;
  }

  public Supplier<? extends TextEmbedder> embedder() {
    return sources.embeddings();
  }

  /** The embeddings of the encoder named (empty: the default). */
  public Supplier<? extends TextEmbedder> embedder(String encoder) {
    return sources.embeddings(encoder);
  }

  public PolicyRegistry policies() {
    return policies;
  }

  public Dataset dataset() {
    return dataset;
  }

  public List<String> models() {
    return dataset.models();
  }

  public long seed() {
    return seed;
  }

  public TokenCounter tokens() {
    return sources.tokens();
  }

  public long promptTokens(EvalPrompt prompt) {
    return promptTokens.computeIfAbsent(
        prompt.id(), id -> tokens().countPrompt(prompt.messages(), List.of()));
  }

  /** A seed of its own for one prompt, the same in every run with the same seed. */
  public long seedFor(EvalPrompt prompt) {
    long h = seed * 0x9E3779B97F4A7C15L + prompt.id().hashCode();
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }

  /** The models ordered by mean cost over {@code prompts}, cheapest first, ties by name. */
  public List<String> byCost(List<EvalPrompt> prompts) {
    return models().stream()
        .sorted(
            Comparator.comparingDouble((String m) -> Dataset.meanCost(prompts, m))
                .thenComparing(m -> m))
        .toList();
  }

  /**
   * The two ends a two-model baseline mixes between: the cheapest model, and the best (the dearest
   * when the cheapest is best).
   */
  public record Pair(String weak, String strong) {}

  public Pair cheapestAndBest(List<EvalPrompt> prompts) {
    List<String> byCost = byCost(prompts);
    String cheapest = byCost.get(0);
    String best = best(prompts);
    return new Pair(cheapest, best.equals(cheapest) ? byCost.get(byCost.size() - 1) : best);
  }

  /** The model of best mean quality over {@code prompts}, the cheaper one on ties. */
  public String best(List<EvalPrompt> prompts) {
    return byCost(prompts).stream()
        .max(
            Comparator.comparingDouble((String m) -> Dataset.meanQuality(prompts, m))
                .thenComparingDouble(m -> -Dataset.meanCost(prompts, m)))
        .orElseThrow();
  }
}
