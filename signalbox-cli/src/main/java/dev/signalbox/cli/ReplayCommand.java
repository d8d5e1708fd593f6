package dev.signalbox.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.core.wire.Json;
import dev.signalbox.eval.replay.CounterfactualReplay;
import dev.signalbox.eval.replay.CounterfactualReport;
import dev.signalbox.eval.replay.DecisionReplay;
import dev.signalbox.eval.replay.OffPolicyEstimator;
import dev.signalbox.eval.replay.RecordedTraffic;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Replays recorded traffic: every decision again under its recorded config (they must come out the
 * same, byte for byte), or, with {@code --with}, under other configs, to see what they would have
 * changed.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Replay recorded decisions under their own config, or recorded requests under other configs"
            + " (--with).")
final class ReplayCommand implements Callable<Integer> {
  private static final int SHOWN_DIVERGENCES = 10;

  @CommandLine.Mixin TraceStoreOption traceStore;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "write the replayed decision log (compare with traces --export FILE --decisions)")
  Path out;

  @Option(
      names = "--with",
      paramLabel = "CONFIG",
      description = "counterfactual: route the recorded requests under this config (repeatable)")
  List<Path> targets;

  @Option(
      names = "--slo-ms",
      defaultValue = "5000",
      paramLabel = "MS",
      description =
          "with --with: end-to-end latency counted as an SLO miss above this (default"
              + " ${DEFAULT-VALUE})")
  long sloMillis;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "with --with: the seed of the estimator's folds (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--json",
      description = "with --with: print one JSON object keyed by config instead of the table")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<GatewayConfig> configs;
    try {
      configs =
          targets == null
              ? List.of()
              : targets.stream().map(Configs.offlineReader()::read).toList();
    } catch (ConfigException e) {
      err.println(e.getMessage().strip());
      return 2;
    }
    Optional<TraceStoreOption.Opened> found = traceStore.open(err);
    if (found.isEmpty()) {
      return 2;
    }
    try (TraceStoreOption.Opened traces = found.get()) {
      return configs.isEmpty()
          ? replayDecisions(traces.store(), traces.where(), stdout)
          : counterfactual(traces.store(), traces.where(), configs, stdout);
    }
  }

  private int replayDecisions(TraceStore traces, String path, PrintWriter stdout) throws Exception {
    DecisionReplay.Result result;
    try (Writer log =
        out == null ? Writer.nullWriter() : Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      result =
          new DecisionReplay(traces, Configs.policies(), Configs.offlineServices())
              .run(
                  line -> {
                    try {
                      log.write(line);
                      log.write('\n');
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
    }
    int replayed = result.traces() - result.notRouted();
    stdout.printf(
        "replayed %d decisions from %s: %d identical, %d different%s%n",
        replayed,
        path,
        result.identical(),
        result.divergences().size(),
        result.notRouted() == 0
            ? ""
            : " (" + result.notRouted() + " requests ended before routing)");
    result.divergences().stream()
        .limit(SHOWN_DIVERGENCES)
        .forEach(
            d ->
                stdout.println(
                    d.field().isEmpty()
                        ? "  " + d.id() + ": " + d.replayed()
                        : "  "
                            + d.id()
                            + ": "
                            + d.field()
                            + " recorded "
                            + d.recorded()
                            + ", replayed "
                            + d.replayed()));
    if (result.divergences().size() > SHOWN_DIVERGENCES) {
      stdout.printf("  … and %d more%n", result.divergences().size() - SHOWN_DIVERGENCES);
    }
    if (out != null) {
      stdout.printf("wrote the replayed decision log to %s%n", out);
    }
    return result.allIdentical() ? 0 : 1;
  }

  private int counterfactual(
      TraceStore traces, String path, List<GatewayConfig> configs, PrintWriter stdout)
      throws Exception {
    RecordedTraffic traffic = RecordedTraffic.load(traces);
    CounterfactualReplay replay =
        new CounterfactualReplay(
            traces, traffic, Configs.policies(), Configs.offlineServices(), sloMillis, seed);
    ObjectNode all = Json.object();
    for (int i = 0; i < configs.size(); i++) {
      CounterfactualReport report = replay.run(targets.get(i).toString(), configs.get(i));
      if (json) {
        all.set(report.config(), toJson(report));
      } else {
        print(report, path, stdout);
      }
    }
    if (json) {
      stdout.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(all));
    }
    return 0;
  }

  private static void print(CounterfactualReport r, String path, PrintWriter out) {
    out.printf("%s over %d recorded requests (%s)%n", r.config(), r.traces(), path);
    out.printf(
        "  replayed            %d%s%n",
        r.replayed(), r.skipped().isEmpty() ? "" : "  skipped: " + r.skipped());
    out.printf(
        "  decisions changed   %d (%s)%s%n",
        r.changed(),
        percent(r.changed(), r.replayed()),
        r.transitions().isEmpty() ? "" : "  " + r.transitions());
    out.printf(
        "  cost USD            recorded %.6f  replayed %.6f  delta %+.6f (%s) over %d served"
            + " requests%n",
        r.recordedCostUsd(),
        r.replayedCostUsd(),
        r.costDeltaUsd(),
        signedPercent(r.costDeltaUsd(), r.recordedCostUsd()),
        r.priced());
    out.printf(
        "  fallbacks           recorded %d  replayed %d%n",
        r.recorded().fallbacks(), r.replay().fallbacks());
    out.printf(
        "  failed requests     recorded %d  replayed %d%n",
        r.recorded().failures(), r.replay().failures());
    out.printf(
        "  SLO misses >%d ms  recorded %d  replayed %d%n",
        r.sloMillis(), r.recorded().sloMisses(), r.replay().sloMisses());
    out.printf(
        "  latency p50 / p95   recorded %s  replayed %s%s%n",
        percentiles(r.recorded().p50Millis(), r.recorded().p95Millis()),
        percentiles(r.replay().p50Millis(), r.replay().p95Millis()),
        r.modelledLatencies() == 0
            ? ""
            : "  (" + r.modelledLatencies() + " on deployments never seen answering)");
    if (r.withFeedback() > 0) {
      out.printf(
          "  feedback            %d requests, recorded mean %.3f; %d unchanged, mean %.3f%n",
          r.withFeedback(),
          r.recordedMeanFeedback(),
          r.matchedWithFeedback(),
          r.matchedMeanFeedback());
    }
    r.limited()
        .forEach(
            (scope, limited) ->
                out.printf(
                    "  refused by limits   %d by %s (%s), the first at %s; recorded cost %.6f%n",
                    limited.requests(),
                    scope,
                    limited.code(),
                    limited.first(),
                    limited.recordedCostUsd()));
    r.estimate()
        .ifPresentOrElse(
            e ->
                out.printf(
                    "  estimated feedback  %s  %s  %s  ESS %.1f%n",
                    estimate(e.ips()),
                    estimate(e.snips()),
                    estimate(e.doublyRobust()),
                    e.effectiveSampleSize()),
            () -> out.printf("  estimated feedback  none: %s%n", r.refusal()));
  }

  /** "12 / 40 ms", or "none" when nothing was served to measure. */
  private static String percentiles(double p50, double p95) {
    return Double.isNaN(p50) ? "none" : String.format(Locale.ROOT, "%.0f / %.0f ms", p50, p95);
  }

  private static String estimate(OffPolicyEstimator.Estimate e) {
    return String.format(
        Locale.ROOT,
        "%s %.3f [%.3f, %.3f]",
        e.name().toUpperCase(Locale.ROOT),
        e.value(),
        e.low(),
        e.high());
  }

  private static String percent(int part, int whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  private static String signedPercent(double delta, double base) {
    return base == 0 ? "-" : String.format(Locale.ROOT, "%+.1f%%", 100 * delta / base);
  }

  static ObjectNode toJson(CounterfactualReport r) {
    ObjectNode node = Json.object();
    node.put("traces", r.traces());
    node.put("replayed", r.replayed());
    ObjectNode skipped = node.putObject("skipped");
    r.skipped().forEach(skipped::put);
    node.put("changed", r.changed());
    ObjectNode transitions = node.putObject("transitions");
    r.transitions().forEach(transitions::put);
    ObjectNode cost = node.putObject("cost_usd");
    cost.put("served_requests", r.priced());
    cost.put("recorded", r.recordedCostUsd());
    cost.put("replayed", r.replayedCostUsd());
    cost.put("delta", r.costDeltaUsd());
    node.put("slo_ms", r.sloMillis());
    node.set("recorded", side(r.recorded()));
    node.set("replayed_outcome", side(r.replay()));
    node.put("modelled_latencies", r.modelledLatencies());
    ObjectNode feedback = node.putObject("feedback");
    feedback.put("requests", r.withFeedback());
    number(feedback, "recorded_mean", r.recordedMeanFeedback());
    feedback.put("unchanged", r.matchedWithFeedback());
    number(feedback, "unchanged_mean", r.matchedMeanFeedback());
    r.estimate()
        .ifPresent(
            e -> {
              ObjectNode estimate = node.putObject("estimate");
              for (OffPolicyEstimator.Estimate one :
                  List.of(e.ips(), e.snips(), e.doublyRobust())) {
                ObjectNode value = estimate.putObject(one.name());
                number(value, "value", one.value());
                number(value, "low", one.low());
                number(value, "high", one.high());
              }
              estimate.put("effective_sample_size", e.effectiveSampleSize());
            });
    if (!r.refusal().isEmpty()) {
      node.put("no_estimate", r.refusal());
    }
    ObjectNode limited = node.putObject("refused_by_limits");
    r.limited()
        .forEach(
            (scope, l) ->
                limited
                    .putObject(scope)
                    .put("requests", l.requests())
                    .put("code", l.code())
                    .put("first", l.first().toString())
                    .put("recorded_cost_usd", l.recordedCostUsd()));
    return node;
  }

  private static ObjectNode side(CounterfactualReport.Side s) {
    ObjectNode node = Json.object();
    node.put("fallbacks", s.fallbacks());
    node.put("failed_requests", s.failures());
    node.put("slo_misses", s.sloMisses());
    number(node, "p50_ms", s.p50Millis());
    number(node, "p95_ms", s.p95Millis());
    return node;
  }

  private static void number(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.putNull(key);
    }
  }
}
