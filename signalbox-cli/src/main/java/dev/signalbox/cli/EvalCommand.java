package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.wire.Json;
import dev.signalbox.eval.EvalReport;
import dev.signalbox.eval.Evaluator;
import dev.signalbox.eval.Split;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.PriceList;
import dev.signalbox.eval.metrics.Bootstrap;
import dev.signalbox.eval.policy.Baselines;
import dev.signalbox.eval.policy.EvalContext;
import dev.signalbox.eval.policy.OfflinePolicy;
import dev.signalbox.eval.policy.RouteFile;
import dev.signalbox.eval.report.HtmlReport;
import dev.signalbox.eval.report.JsonReport;
import dev.signalbox.eval.report.TableReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Evaluates routing policies offline on per-prompt outcome data. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate routing policies offline: quality, cost and frontier metrics of every route in a"
            + " policies file, beside baselines.")
final class EvalCommand implements Callable<Integer> {
  static final long DEFAULT_SEED = 42;

  @CommandLine.Mixin DataOptions dataOptions;

  @Option(
      names = "--policies",
      paramLabel = "FILE",
      description = "routes in the gateway's syntax, each evaluated as a policy")
  Path policies;

  @Option(
      names = "--split",
      paramLabel = "SPLIT",
      description =
          "test, cv:K or leave-task-out (default: test when the data has a split, else cv:5)")
  String split;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "seeds folds, random draws and the bootstrap (default " + DEFAULT_SEED + ")")
  Long seed;

  @Option(
      names = "--resamples",
      defaultValue = "" + Bootstrap.DEFAULT_RESAMPLES,
      paramLabel = "N",
      description = "bootstrap resamples (default ${DEFAULT-VALUE})")
  int resamples;

  @Option(
      names = "--json",
      description = "print one JSON object keyed by policy name instead of the table")
  boolean json;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "write an HTML report with the charts, and the charts as PNG")
  Path report;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      TokenCounter tokens = new TokenCounter();
      DataOptions.Priced priced = dataOptions.read(tokens);
      Dataset data = priced.data();
      PriceList priceList = priced.prices();
      long seedValue = seed == null ? DEFAULT_SEED : seed;
      Split chosen = Split.parse(split != null ? split : data.hasSplit() ? "test" : "cv:5");
      err.printf(
          "eval: %s, %d prompts, %d models, split %s, seed %d%n",
          data.name(), data.prompts().size(), data.models().size(), chosen, seedValue);
      err.printf("eval: prices %s%n", priced.pricesFrom());
      EvalContext context =
          new EvalContext(
              data,
              seedValue,
              Configs.offlineSources(tokens, dataOptions.embeddingCache),
              Configs.policies());
      List<OfflinePolicy> all = new ArrayList<>();
      if (policies != null) {
        all.addAll(RouteFile.load(policies, data, priceList, Configs.policies()));
      }
      all.addAll(Baselines.all(data.models()));
      Evaluator evaluator = new Evaluator(data, context, chosen, resamples);
      int steps = all.size() * evaluator.folds().size();
      EvalReport result;
      if (System.console() != null) {
        try (ProgressBar bar =
            new ProgressBarBuilder()
                .setTaskName("eval")
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .continuousUpdate()
                .build()) {
          result = evaluator.run(all, (policy, fold) -> bar.step());
        }
      } else {
        // Not a terminal (a log, a pipe): a line per step, no carriage returns.
        int[] done = {0};
        result =
            evaluator.run(
                all,
                (policy, fold) ->
                    err.printf("eval: %d/%d done (%s, %s)%n", ++done[0], steps, policy, fold));
      }
      if (json) {
        out.println(
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(JsonReport.of(result)));
      } else {
        TableReport.print(result, out);
      }
      if (report != null) {
        err.println("report: " + HtmlReport.write(result, report));
      }
      out.flush();
      return 0;
    } catch (DataException | ConfigException | IllegalArgumentException e) {
      err.println("eval: " + e.getMessage());
      return 2;
    }
  }
}
