package dev.signalbox.eval.report;

import dev.signalbox.eval.EvalReport;
import dev.signalbox.eval.PolicyEvaluation;
import dev.signalbox.eval.PromiseCheck;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The evaluation as a plain-text table, one row per policy and baseline. */
public final class TableReport {
  private TableReport() {}

  public static void print(EvalReport report, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "%s (%s): %d prompts, split %s, seed %d%n",
        report.dataset(),
        report.source(),
        report.prompts(),
        report.split(),
        report.seed());
    report.notes().forEach(n -> out.println("  " + n));
    if (!report.strong().isEmpty()) {
      out.printf("  strong %s, weak %s%n", report.strong(), report.weak());
    }
    boolean twoModels = !report.strong().isEmpty();
    int width =
        Math.max(6, report.policies().stream().mapToInt(p -> p.name().length()).max().orElse(6));
    String header =
        String.format(
            Locale.ROOT,
            "%-" + width + "s %-8s %-22s %10s %10s %7s",
            "POLICY",
            "KIND",
            "QUALITY [95% CI]",
            "$/1K",
            "RANDOM@$",
            "AIQ");
    if (twoModels) {
      header += String.format(Locale.ROOT, " %6s %6s %6s", "APGR", "CPT50", "CPT80");
    }
    header +=
        String.format(Locale.ROOT, " %10s %10s %7s  %s", "$/1K@95%", "$/1K@100%", "SWEEP", "CALLS");
    out.println(header);
    for (PolicyEvaluation p : report.policies()) {
      StringBuilder row =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%-" + width + "s %-8s %-22s %10s %10s %7s",
                  p.name(),
                  p.kind(),
                  quality(p),
                  number(p.costPerPrompt() * 1000),
                  number(p.randomAtCost()),
                  number(p.aiq())));
      if (twoModels) {
        row.append(
            String.format(
                Locale.ROOT,
                " %6s %6s %6s",
                number(p.apgr()),
                percent(p.cpt50()),
                percent(p.cpt80())));
      }
      row.append(
          String.format(
              Locale.ROOT,
              " %10s %10s %7s  %s",
              number(p.costTo95() * 1000),
              number(p.costTo100() * 1000),
              p.sweepRequested() == 0 ? "-" : p.sweepDistinct() + "/" + p.sweepRequested(),
              shares(p.shares())));
      out.println(row);
    }
    for (PromiseCheck promise : report.promises()) {
      out.printf(
          Locale.ROOT,
          "promise %s: quality %s; promised %.4f, realised %.4f on the test prompts: %s%s%n",
          promise.route(),
          promise.target(),
          promise.promised(),
          promise.realised(),
          promise.held() ? "kept" : "MISSED",
          Double.isNaN(promise.costRatio())
              ? ""
              : String.format(
                  Locale.ROOT, ", at %.1f%% of the reference's cost", 100 * promise.costRatio()));
    }
    out.flush();
  }

  private static String quality(PolicyEvaluation p) {
    return String.format(
        Locale.ROOT, "%.4f [%.4f, %.4f]", p.quality(), p.qualityLow(), p.qualityHigh());
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", v * 100);
  }

  private static String shares(Map<String, Double> shares) {
    return shares.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
        .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), e.getValue() * 100))
        .collect(Collectors.joining(", "));
  }
}
