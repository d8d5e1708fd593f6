package dev.signalbox.core.trace;

import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.Pricing;
import dev.signalbox.api.Usage;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A decision in words, for a person reading one trace: the model chosen, what its policy said of
 * it, the closest alternative and the margin, and what the alternative would have cost for this
 * request ("chose mid (predicted quality 0.81) over frontier (0.84): at 9% of its cost").
 */
public final class DecisionExplanation {
  private DecisionExplanation() {}

  /** Explains a trace, pricing its models by {@code prices} (the running config's, where known). */
  public static String of(DecisionTrace trace, Function<String, Optional<Pricing>> prices) {
    if (trace.plan().isEmpty()) {
      String excluded = excluded(trace.candidates());
      return "not routed ("
          + trace.outcome()
          + (trace.error().isEmpty() ? "" : ": " + trace.error())
          + ")"
          + (excluded.isEmpty() ? "" : "; excluded: " + excluded);
    }
    String chosen = trace.plan().get(0).model();
    Optional<CandidateTrace> winner =
        trace.candidates().stream().filter(c -> c.model().equals(chosen)).findFirst();
    Optional<CandidateTrace> alternative =
        trace.candidates().stream()
            .filter(c -> c.excluded().isEmpty() && !c.model().equals(chosen))
            .max(Comparator.comparingDouble(CandidateTrace::score));
    StringBuilder words = new StringBuilder("chose ").append(chosen);
    winner
        .filter(w -> !w.reason().isEmpty())
        .ifPresent(w -> words.append(" (").append(w.reason()).append(')'));
    if (alternative.isEmpty()) {
      words.append(": the only eligible candidate");
    } else {
      CandidateTrace other = alternative.get();
      words
          .append(" over ")
          .append(other.model())
          .append(": score ")
          .append(number(winner.map(CandidateTrace::score).orElse(Double.NaN)))
          .append(" vs ")
          .append(number(other.score()));
      relativeCost(trace.usage(), prices.apply(chosen), prices.apply(other.model()))
          .ifPresent(share -> words.append(", at ").append(share).append(" of its cost"));
    }
    String excluded = excluded(trace.candidates());
    if (!excluded.isEmpty()) {
      words.append("; excluded: ").append(excluded);
    }
    if (trace.attempts().size() > 1) {
      words
          .append("; served after ")
          .append(trace.attempts().size())
          .append(" attempts (")
          .append(
              trace.attempts().stream()
                  .map(a -> a.deployment() + " " + a.result())
                  .collect(Collectors.joining(", ")))
          .append(')');
    }
    return words.toString();
  }

  /** The chosen model's cost for this request's tokens as a share of the other's. */
  private static Optional<String> relativeCost(
      Usage usage, Optional<Pricing> chosen, Optional<Pricing> other) {
    if (chosen.isEmpty() || other.isEmpty()) {
      return Optional.empty();
    }
    double mine = chosen.get().cost(usage);
    double theirs = other.get().cost(usage);
    if (theirs <= 0) {
      return Optional.empty();
    }
    double percent = 100 * mine / theirs;
    return Optional.of(
        (percent < 10 ? String.format(Locale.ROOT, "%.1f", percent) : Math.round(percent) + "")
            + "%");
  }

  private static String excluded(List<CandidateTrace> candidates) {
    return candidates.stream()
        .filter(c -> !c.excluded().isEmpty())
        .map(c -> c.model() + " (" + c.excluded() + ")")
        .collect(Collectors.joining(", "));
  }

  private static String number(double value) {
    if (Double.isNaN(value)) {
      return "-";
    }
    return value == Math.rint(value) && Math.abs(value) < 1e9
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.4g", value);
  }
}
