package dev.signalbox.eval.policy;

import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.learn.Training;
import dev.signalbox.eval.data.EvalPrompt;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The artifacts of a policies file's learned routes, fitted once per fold (its training part) and
 * shared while that fold is evaluated, so a rule delegating to a learned route does not fit it
 * again. Only the latest fold is kept: on leave-task-out's 57 folds the rest would not fit a small
 * heap.
 */
final class FoldFits {
  private final String source;
  private final IdentityHashMap<List<EvalPrompt>, Map<String, LearnedArtifact>> byFold =
      new IdentityHashMap<>();
  private final IdentityHashMap<List<EvalPrompt>, Map<String, TrainingData.Embedded>> data =
      new IdentityHashMap<>();
  private final IdentityHashMap<List<EvalPrompt>, Map<String, BanditPass.Result>> passes =
      new IdentityHashMap<>();

  FoldFits(String source) {
    this.source = source;
  }

  /** A bandit route's online pass over the fold, run once however many routes read it. */
  synchronized BanditPass.Result banditPass(
      List<EvalPrompt> train,
      RouteSpec route,
      java.util.function.Supplier<BanditPass.Result> pass) {
    keepOnly(train);
    Map<String, BanditPass.Result> fold =
        passes.computeIfAbsent(train, t -> new java.util.HashMap<>());
    BanditPass.Result result = fold.get(route.name());
    if (result == null) {
      result = pass.get();
      fold.put(route.name(), result);
    }
    return result;
  }

  /**
   * Forgets every fold but {@code train}'s: the evaluator runs a policy's folds one after another.
   */
  @SuppressWarnings("ReferenceEquality") // Folds are told apart by identity, as the maps key them.
  private void keepOnly(List<EvalPrompt> train) {
    byFold.keySet().removeIf(fold -> fold != train);
    data.keySet().removeIf(fold -> fold != train);
    passes.keySet().removeIf(fold -> fold != train);
  }

  synchronized LearnedArtifact fit(
      List<EvalPrompt> train, RouteSpec route, LearnedPolicySpec spec, EvalContext context) {
    keepOnly(train);
    return byFold
        .computeIfAbsent(train, t -> new java.util.HashMap<>())
        .computeIfAbsent(
            route.name(),
            name -> {
              TrainingData.Embedded set =
                  data.computeIfAbsent(train, t -> new java.util.HashMap<>())
                      .computeIfAbsent(
                          String.join(
                              "|", spec.embed(), spec.window(), spec.prefixes(), spec.encoder()),
                          reading -> TrainingData.of(train, context, spec));
              return Training.fit(
                  route,
                  spec,
                  set.set(),
                  set.prefixes(),
                  context.embedder(spec.encoder()).get().modelId(),
                  TrainingData.hash(train),
                  source,
                  Training.Target.NONE,
                  context.seed());
            });
  }
}
