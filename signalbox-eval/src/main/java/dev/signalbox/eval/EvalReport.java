package dev.signalbox.eval;

import java.util.List;

/**
 * The result of one evaluation run.
 *
 * @param strong the strong model of two-model data (best mean quality on the test prompts), else ""
 * @param weak the weak model of two-model data, else ""
 * @param promises each route that promised a quality ({@code target}) and whether it kept it
 */
public record EvalReport(
    String dataset,
    String source,
    String split,
    long seed,
    int prompts,
    List<String> models,
    String strong,
    String weak,
    List<String> notes,
    List<PolicyEvaluation> policies,
    List<PromiseCheck> promises) {

  public EvalReport {
    models = List.copyOf(models);
    notes = List.copyOf(notes);
    policies = List.copyOf(policies);
    promises = List.copyOf(promises);
  }
}
