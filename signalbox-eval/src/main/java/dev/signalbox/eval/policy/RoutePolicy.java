package dev.signalbox.eval.policy;

import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.config.BanditPolicySpec;
import dev.signalbox.core.config.CascadeSpec;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.config.QualityTarget;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.ThresholdSpec;
import dev.signalbox.core.dispatch.CascadeRunner;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.policy.Execution;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.routing.Router;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.EvalPrompt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One route of a policies file, decided by the gateway's {@link Router} on a request built from the
 * prompt's messages (with the prompt's score columns as score headers), with a seed of the prompt's
 * own and an idle pool. Its knob is the one its policy's provider gives ({@link
 * dev.signalbox.core.policy.Knob}), or, for a route that runs as a cascade, how strict its checks
 * are. Nothing here knows a policy by its name.
 */
final class RoutePolicy implements OfflinePolicy {
  private final GatewayConfig config;
  private final String route;
  private final boolean learned;
  private final FoldFits fits;

  RoutePolicy(GatewayConfig config, String route, FoldFits fits) {
    this.config = reachableFrom(config, route);
    this.route = route;
    this.fits = fits;
    this.learned =
        this.config.routes().values().stream().anyMatch(r -> r.spec() instanceof LearnedPolicySpec);
  }

  /**
   * The config with only the routes a request to {@code route} can reach, so a fold fits only the
   * learned routes it uses.
   */
  private static GatewayConfig reachableFrom(GatewayConfig config, String route) {
    Set<String> reached = new LinkedHashSet<>();
    ArrayDeque<String> queue = new ArrayDeque<>(List.of(route));
    while (!queue.isEmpty()) {
      String name = queue.poll();
      if (reached.add(name)) {
        config.route(name).ifPresent(spec -> queue.addAll(spec.spec().delegatesTo()));
      }
    }
    Map<String, RouteSpec> routes = new LinkedHashMap<>();
    config
        .routes()
        .forEach(
            (name, spec) -> {
              if (reached.contains(name)) {
                routes.put(name, spec);
              }
            });
    return new GatewayConfig(
        config.server(),
        config.auth(),
        config.traces(),
        config.telemetry(),
        config.responses(),
        config.limits(),
        config.database(),
        config.deployments(),
        config.models(),
        routes,
        config.text(),
        config.hash());
  }

  @Override
  public String name() {
    return route;
  }

  @Override
  public String kind() {
    return "policy";
  }

  @Override
  public FittedPolicy fit(List<EvalPrompt> train, EvalContext context) {
    // Learned routes are fitted again on every fold's training part; fixed ones need no fit.
    RouteSpec spec = config.route(route).orElseThrow();
    List<String> notes = new ArrayList<>();
    PolicyRegistry policies = context.policies();
    PolicyServices services =
        learned ? foldServices(train, context, notes) : services(context, ArtifactSource.NONE);
    Router router = new Router(config, policies, services);
    Map<String, RequestSignals> signals = new ConcurrentHashMap<>();
    Map<String, Cascade> cascades = new ConcurrentHashMap<>();
    Knob knob =
        switch (policies.execution(spec)) {
          case Execution.Cascade cascade ->
              strictnessGrid(
                  cascade.spec(),
                  prompt ->
                      cascades.computeIfAbsent(
                          prompt.id(),
                          id -> cascade(routed(router, prompt, context)).orElseThrow()),
                  context);
          case Execution.Plan plan ->
              knob(
                  policies.knob(
                      spec,
                      router.policy(route).orElseThrow(),
                      new PolicyContext(config, services)),
                  prompt -> signals.computeIfAbsent(prompt.id(), id -> signals(prompt, context)),
                  context);
        };
    return new FittedPolicy() {
      @Override
      public String choose(EvalPrompt prompt) {
        Decision.Routed routed = routed(router, prompt, context);
        Optional<Cascade> cascade = cascade(routed);
        if (cascade.isPresent()) {
          cascades.put(prompt.id(), cascade.get());
          return cascade.get().walk(prompt, CONFIGURED, context).served();
        }
        return routed.plan().get(0).model().name();
      }

      @Override
      public double cost(EvalPrompt prompt, String served) {
        Cascade cascade = cascades.get(prompt.id());
        return cascade == null
            ? prompt.cost(served)
            : OfflineCascade.cost(prompt, cascade.stages(), cascade.spec(), served);
      }

      @Override
      public Knob knob() {
        return knob;
      }

      @Override
      public Optional<QualityTarget> promise() {
        return spec.spec() instanceof LearnedPolicySpec promising
            ? promising.qualityTarget()
            : Optional.empty();
      }

      @Override
      public List<String> notes() {
        return notes;
      }
    };
  }

  private static PolicyServices services(EvalContext context, ArtifactSource artifacts) {
    return PolicyServices.of(context.sources(), artifacts);
  }

  /**
   * Learned routes' artifacts fitted on this fold; a bandit route's learner is the one its seeded
   * online pass over the fold's training part left (see {@link BanditPass}), shared by every route.
   */
  private PolicyServices foldServices(
      List<EvalPrompt> train, EvalContext context, List<String> notes) {
    return services(
        context,
        new ArtifactSource() {
          @Override
          public LearnedArtifact artifactFor(RouteSpec spec, LearnedPolicySpec learned) {
            return fits.fit(train, spec, learned, context);
          }

          @Override
          public dev.signalbox.core.learn.BanditLearner learnerFor(
              RouteSpec spec, BanditPolicySpec bandit, LearnedArtifact artifact) {
            BanditPass.Result pass =
                fits.banditPass(
                    train,
                    spec,
                    () ->
                        BanditPass.run(
                            config,
                            spec,
                            bandit.bandit(),
                            artifact,
                            train,
                            context,
                            learner ->
                                new Router(
                                    config, context.policies(), passServices(spec, learner))));
            if (spec.name().equals(route)) {
              pass.curve()
                  .forEach(
                      line ->
                          notes.add(
                              "online pass over " + train.size() + " training prompts, " + line));
            }
            return pass.learner();
          }

          // The pass teaches one route: another bandit route gets an untrained learner here.
          private PolicyServices passServices(
              RouteSpec taught, dev.signalbox.core.learn.BanditLearner learner) {
            ArtifactSource outer = this;
            return services(
                context,
                new ArtifactSource() {
                  @Override
                  public LearnedArtifact artifactFor(RouteSpec spec, LearnedPolicySpec learned) {
                    return outer.artifactFor(spec, learned);
                  }

                  @Override
                  public dev.signalbox.core.learn.BanditLearner learnerFor(
                      RouteSpec spec, BanditPolicySpec bandit, LearnedArtifact artifact) {
                    return spec.name().equals(taught.name())
                        ? learner
                        : BanditPass.untrained(spec, artifact);
                  }
                });
          }
        });
  }

  /** The request a prompt stands for: its messages, and every score column as a score header. */
  private RequestSignals signals(EvalPrompt prompt, EvalContext context) {
    Map<String, String> headers = new HashMap<>();
    // Every column, not only this route's: a rule may hand the request to another score route.
    prompt
        .scores()
        .forEach(
            (column, value) ->
                headers.put(ThresholdSpec.headerFor(column), Double.toString(value)));
    return TrainingData.signals(
        prompt, route, headers, config.route(route).orElseThrow().defaultMaxTokens(), context);
  }

  private Decision.Routed routed(Router with, EvalPrompt prompt, EvalContext context) {
    return switch (with.decide(
        signals(prompt, context), context.seedFor(prompt), PoolSnapshot.EMPTY)) {
      case Decision.Routed routed -> routed;
      case Decision.Rejected rejected ->
          throw new DataException(
              context.dataset().source(),
              0,
              prompt.id(),
              "route '" + route + "' refused the prompt: " + rejected.error().getMessage());
    };
  }

  /** The provider's knob, over the prompt's request. */
  private Knob knob(
      dev.signalbox.core.policy.Knob knob,
      java.util.function.Function<EvalPrompt, RequestSignals> signals,
      EvalContext context) {
    return switch (knob) {
      case dev.signalbox.core.policy.Knob.None none -> Knob.NONE;
      case dev.signalbox.core.policy.Knob.Threshold threshold ->
          new Knob.Threshold() {
            private final Map<String, Double> scores = new ConcurrentHashMap<>();

            @Override
            public String strong() {
              return threshold.strong();
            }

            @Override
            public String weak() {
              return threshold.weak();
            }

            @Override
            public double score(EvalPrompt prompt) {
              double score =
                  scores.computeIfAbsent(
                      prompt.id(), id -> threshold.score().applyAsDouble(signals.apply(prompt)));
              if (Double.isNaN(score)) {
                throw new DataException(
                    context.dataset().source(),
                    0,
                    prompt.id(),
                    "route '"
                        + route
                        + "' has no score for this prompt (a score route reads the"
                        + " data's score column of its name)");
              }
              return score;
            }

            @Override
            public String chooseAt(EvalPrompt prompt, double t) {
              return score(prompt) >= t ? strong() : weak();
            }
          };
      case dev.signalbox.core.policy.Knob.Grid grid ->
          new Knob.Grid() {
            @Override
            public List<String> labels() {
              return grid.labels();
            }

            @Override
            public String chooseAt(EvalPrompt prompt, int setting) {
              return grid.choice().choose(signals.apply(prompt), setting);
            }
          };
    };
  }

  /** A cascade route's stages for one prompt, in the order the router gave them. */
  private record Cascade(CascadeSpec spec, List<String> stages) {
    OfflineCascade.Walk walk(
        EvalPrompt prompt, OfflineCascade.Strictness strictness, EvalContext context) {
      return OfflineCascade.walk(prompt, stages, spec, strictness, context.dataset().source());
    }
  }

  private static final OfflineCascade.Strictness CONFIGURED =
      new OfflineCascade.Strictness.Checks(Integer.MAX_VALUE);

  /**
   * The cascade that serves a routed prompt, when the route (or the one a rule handed it to) runs
   * as a cascade.
   */
  private static Optional<Cascade> cascade(Decision.Routed routed) {
    if (!(routed.execution() instanceof Execution.Cascade cascade)) {
      return Optional.empty();
    }
    List<String> stages =
        CascadeRunner.stages(routed.plan(), routed.route()).stream()
            .map(s -> s.model().name())
            .toList();
    return Optional.of(new Cascade(cascade.spec(), stages));
  }

  /**
   * A cascade's knob: how strict its checks are, from none (the first stage always serves) through
   * the configured checks one by one to turning every answer down (the last stage always serves,
   * every stage paid for).
   */
  private static Knob strictnessGrid(
      CascadeSpec spec,
      java.util.function.Function<EvalPrompt, Cascade> cascades,
      EvalContext context) {
    List<String> labels = new ArrayList<>();
    List<OfflineCascade.Strictness> settings = new ArrayList<>();
    List<String> kinds = spec.checks().stream().map(CascadeSpec.Check::kind).toList();
    for (int i = 0; i <= kinds.size(); i++) {
      labels.add(i == 0 ? "no checks" : "checks: " + String.join(", ", kinds.subList(0, i)));
      settings.add(new OfflineCascade.Strictness.Checks(i));
    }
    labels.add("escalate every answer");
    settings.add(new OfflineCascade.Strictness.EscalateAll());
    return FittedPolicy.onGrid(
            labels,
            kinds.size(),
            (prompt, setting) ->
                cascades.apply(prompt).walk(prompt, settings.get(setting), context).served())
        .knob();
  }
}
