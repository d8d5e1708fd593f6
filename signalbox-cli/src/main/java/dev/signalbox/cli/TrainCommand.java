package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.learn.ArtifactFile;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.learn.Training;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.trace.TraceStores;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.EvalPrompt;
import dev.signalbox.eval.policy.EvalContext;
import dev.signalbox.eval.policy.RouteFile;
import dev.signalbox.eval.policy.TrainingData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Fits a learned route on outcome data and writes the artifact it serves from. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Fit a learned route (threshold, objective, bandit) on outcome data or traces with"
            + " feedback, and write its artifact.")
final class TrainCommand implements Callable<Integer> {
  @CommandLine.Mixin DataOptions dataOptions;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "a gateway config holding the route")
  Path config;

  @Option(
      names = "--policies",
      paramLabel = "FILE",
      description = "a policies file (eval's) holding the route")
  Path policies;

  @Option(
      names = "--policy",
      required = true,
      paramLabel = "NAME",
      description = "the learned route to fit")
  String route;

  @Option(
      names = "--split",
      defaultValue = "auto",
      paramLabel = "SPLIT",
      description =
          "the prompts to fit on: train (the data's training part), all, or auto (train when the"
              + " data has a split, else all)")
  String split;

  @Option(
      names = "--target",
      paramLabel = "TARGET",
      description =
          "calibrate a threshold route: strong-share=X or quality-floor=Y (Y in the data's quality"
              + " units)")
  String target;

  @Option(
      names = "--seed",
      defaultValue = "" + EvalCommand.DEFAULT_SEED,
      paramLabel = "N",
      description = "seeds the fit (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "where to write the artifact (default: the route's artifact path)")
  Path out;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    try {
      if ((config == null) == (policies == null)) {
        throw new IllegalArgumentException(
            "give the route's file: --config (a gateway config) or --policies (a policies file)");
      }
      TokenCounter tokens = new TokenCounter();
      DataOptions.Priced priced = dataOptions.read(tokens);
      Dataset data = priced.data();
      GatewayConfig routes =
          config != null
              ? Configs.reader().fittingLearnedRoutes().read(config)
              : RouteFile.config(policies, data, priced.prices(), Configs.policies());
      RouteSpec spec =
          routes
              .route(route)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no route '"
                              + route
                              + "' (routes: "
                              + String.join(", ", routes.routes().keySet())
                              + ")"));
      if (!(spec.spec() instanceof LearnedPolicySpec learned)) {
        throw new IllegalArgumentException(
            "route '"
                + route
                + "' has policy '"
                + spec.policy()
                + "', which learns nothing from data (learned: "
                + String.join(", ", learnedPolicies())
                + ")");
      }
      List<String> missing =
          spec.models().stream().filter(m -> !data.models().contains(m)).toList();
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(
            "the data has no outcomes of "
                + String.join(", ", missing)
                + " (it has "
                + String.join(", ", data.models())
                + ")");
      }
      Path file =
          out != null
              ? out
              : learned
                  .artifact()
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "route '" + route + "' names no artifact: give --out FILE"));
      boolean trainPart = split.equals("train") || (split.equals("auto") && data.hasSplit());
      if (!List.of("auto", "train", "all").contains(split)) {
        throw new IllegalArgumentException("--split is train, all or auto, not '" + split + "'");
      }
      List<EvalPrompt> prompts =
          trainPart
              ? data.prompts().stream().filter(p -> p.split().equals("train")).toList()
              : data.prompts();
      if (prompts.isEmpty()) {
        throw new IllegalArgumentException("no prompts to fit on (split " + split + ")");
      }
      Training.Target goal = target == null ? Training.Target.NONE : Training.Target.parse(target);
      if (goal.kind().equals("quality-floor")) {
        double low = data.scale().min();
        goal = new Training.Target(goal.kind(), (goal.value() - low) / (data.scale().max() - low));
      }
      EvalContext context =
          new EvalContext(
              data,
              seed,
              Configs.offlineSources(tokens, dataOptions.embeddingCache),
              Configs.policies());
      long started = System.nanoTime();
      TrainingData.Embedded embedded = TrainingData.of(prompts, context, learned);
      LearnedArtifact artifact =
          Training.fit(
              spec,
              learned,
              embedded.set(),
              embedded.prefixes(),
              context.embedder(learned.encoder()).get().modelId(),
              TrainingData.hash(prompts),
              TraceStores.describe(dataOptions.dataset),
              goal,
              seed);
      ArtifactFile.write(artifact, file);
      err.printf(
          Locale.ROOT,
          "train: %s (%s, %s scorer) on %d prompts of %s, seed %d, in %.1f s%n",
          route,
          spec.policy(),
          artifact.scorerKind(),
          prompts.size(),
          data.name(),
          seed,
          (System.nanoTime() - started) / 1e9);
      artifact
          .calibration()
          .ifPresent(
              c -> {
                err.printf(
                    Locale.ROOT,
                    "  threshold %.4f for target %s (strong share %.3f on held-out prompts)%n",
                    c.value(),
                    c.target(),
                    c.strongShare());
                c.promise()
                    .filter(p -> !p.met())
                    .ifPresent(
                        p ->
                            err.printf(
                                Locale.ROOT,
                                "  WARNING: the target could not be shown to hold at confidence"
                                    + " %.2f on %d held-out prompts, even with the strong model on"
                                    + " every one: the route calls it on every prompt%n",
                                p.confidence(),
                                p.prompts()));
              });
      err.printf("  wrote %s (data sha256 %s)%n", file, artifact.dataHash());
      return 0;
    } catch (DataException | ConfigException | IllegalArgumentException e) {
      err.println("train: " + e.getMessage());
      return 2;
    }
  }

  private static List<String> learnedPolicies() {
    PolicyRegistry policies = Configs.policies();
    return policies.names().stream()
        .filter(
            name ->
                policies
                    .specType(name)
                    .filter(LearnedPolicySpec.class::isAssignableFrom)
                    .isPresent())
        .toList();
  }
}
