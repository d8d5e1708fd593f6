package dev.signalbox.core.session;

import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.config.SessionSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * What an agent's session changes in a route's order, as a pure function (budget-aware step
 * routing, after the step-level routers of agent frameworks): stickiness keeps the session's model
 * first unless the policy's first choice beats it by more than the margin (so a conversation does
 * not hop between models and lose its prompt cache); a budget moves the best-ranked model whose
 * estimated step cost fits the remaining budget first, or refuses the step when none fits.
 */
public final class SessionSteering {
  private SessionSteering() {}

  /** The steered order and what was done, or a refusal. */
  public sealed interface Result {
    record Steered(List<ScoredModel> order, String note) implements Result {}

    /** The step cannot be routed: a bad budget header (a 400), else a spent budget (a 429). */
    record Refused(String message, boolean badRequest) implements Result {}
  }

  /**
   * Keeps, downgrades or refuses a session's step.
   *
   * @param order the policy's order, best first
   * @param session the session's state, empty on its first step
   * @param budgetUsd the session's budget, if it has one
   * @param stepCost the estimated cost of this step on a model
   */
  public static Result steer(
      SessionSpec spec,
      List<ScoredModel> order,
      Optional<SessionStore.Session> session,
      OptionalDouble budgetUsd,
      ToDoubleFunction<String> stepCost) {
    List<ScoredModel> steered = new ArrayList<>(order);
    List<String> notes = new ArrayList<>();
    if (spec.sticky() && session.isPresent() && !steered.isEmpty()) {
      String kept = session.get().model();
      int at = indexOf(steered, kept);
      if (at > 0) {
        ScoredModel first = steered.get(0);
        ScoredModel candidate = steered.get(at);
        boolean comparable = !Double.isNaN(first.score()) && !Double.isNaN(candidate.score());
        double gain = comparable ? first.score() - candidate.score() : 0;
        if (gain <= spec.stickyMargin()) {
          steered.remove(at);
          steered.add(0, candidate);
          notes.add(
              String.format(
                  Locale.ROOT,
                  "kept %s (the policy's %s is better by %.4f <= margin %.4f)",
                  kept,
                  first.model(),
                  gain,
                  spec.stickyMargin()));
        } else {
          notes.add(
              String.format(
                  Locale.ROOT,
                  "left %s for %s (better by %.4f > margin %.4f)",
                  kept,
                  first.model(),
                  gain,
                  spec.stickyMargin()));
        }
      } else if (at == 0) {
        notes.add("kept " + kept);
      }
    }
    if (budgetUsd.isPresent() && !steered.isEmpty()) {
      double spent = session.map(SessionStore.Session::spentUsd).orElse(0.0);
      double remaining = budgetUsd.getAsDouble() - spent;
      int fits = -1;
      for (int i = 0; i < steered.size(); i++) {
        if (stepCost.applyAsDouble(steered.get(i).model()) <= remaining) {
          fits = i;
          break;
        }
      }
      if (fits < 0) {
        return new Result.Refused(
            String.format(
                Locale.ROOT,
                "The session's budget of $%.6f has $%.6f left, less than this step's estimated cost"
                    + " on any eligible model (cheapest: %s at $%.6f).",
                budgetUsd.getAsDouble(),
                Math.max(remaining, 0),
                cheapest(steered, stepCost),
                stepCost.applyAsDouble(cheapest(steered, stepCost))),
            false);
      }
      if (fits > 0) {
        ScoredModel downgraded = steered.remove(fits);
        notes.add(
            String.format(
                Locale.ROOT,
                "downgraded %s -> %s: step estimated $%.6f > $%.6f left of $%.6f",
                steered.get(0).model(),
                downgraded.model(),
                stepCost.applyAsDouble(steered.get(0).model()),
                remaining,
                budgetUsd.getAsDouble()));
        steered.add(0, downgraded);
      } else {
        notes.add(
            String.format(
                Locale.ROOT, "budget: $%.6f left of $%.6f", remaining, budgetUsd.getAsDouble()));
      }
    }
    return new Result.Steered(steered, String.join("; ", notes));
  }

  private static String cheapest(List<ScoredModel> order, ToDoubleFunction<String> cost) {
    String best = order.get(0).model();
    for (ScoredModel m : order) {
      if (cost.applyAsDouble(m.model()) < cost.applyAsDouble(best)) {
        best = m.model();
      }
    }
    return best;
  }

  private static int indexOf(List<ScoredModel> order, String model) {
    for (int i = 0; i < order.size(); i++) {
      if (order.get(i).model().equals(model)) {
        return i;
      }
    }
    return -1;
  }

  /** A model's estimated step cost: its price on the prompt and the step's maximum output. */
  public static double stepCost(ModelSpec model, long promptTokens, long maxOutputTokens) {
    return model.candidate().pricing().estimate(promptTokens, maxOutputTokens);
  }
}
