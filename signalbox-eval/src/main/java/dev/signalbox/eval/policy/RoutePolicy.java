package dev.signalbox.eval.policy;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.cascade.CascadePolicy;
import dev.signalbox.core.config.CascadeSpec;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.ObjectiveSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.ThresholdSpec;
import dev.signalbox.core.dispatch.CascadeRunner;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.learn.BanditLearner;
import dev.signalbox.core.learn.BanditPolicy;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.learn.ObjectivePolicy;
import dev.signalbox.core.learn.ThresholdPolicy;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.PolicyRegistry;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.routing.Router;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.EvalPrompt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One route of a policies file, decided by the gateway's {@link Router} on a request built from the
 * prompt's messages (and, for the {@code score} policy, its score column as the score header), with
 * a seed of the prompt's own and an idle pool. Its knob is the route's threshold, where it has one.
 */
final class RoutePolicy implements OfflinePolicy {
  private final GatewayConfig config;
  private final String route;
  private final Optional<ThresholdSpec> threshold;
  private final boolean learned;
  private final FoldFits fits;
  private final Router fixedRouter;

  RoutePolicy(GatewayConfig config, String route, FoldFits fits) {
    config = reachableFrom(config, route);
    this.config = config;
    this.route = route;
    this.threshold = this.config.route(route).orElseThrow().threshold();
    this.fits = fits;
    this.learned =
        this.config.routes().values().stream()
            .anyMatch(r -> ConfigReader.LEARNED_POLICIES.contains(r.policy()));
    this.fixedRouter = learned ? null : new Router(this.config, PolicyRegistry.builtIn());
  }

  /**
   * The config with only the routes a request to {@code route} can reach, so a fold fits only the
   * learned routes it uses.
   */
  private static GatewayConfig reachableFrom(GatewayConfig config, String route) {
    java.util.Set<String> reached = new java.util.LinkedHashSet<>();
    java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(route));
    while (!queue.isEmpty()) {
      String name = queue.poll();
      if (!reached.add(name)) {
        continue;
      }
      config
          .route(name)
          .ifPresent(
              spec -> {
                spec.rules().forEach(rule -> queue.add(rule.route()));
                if (!spec.defaultRoute().isEmpty()) {
                  queue.add(spec.defaultRoute());
                }
              });
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
    Router router = learned ? new Router(config, registry(train, context, notes)) : fixedRouter;
    Map<String, Cascade> cascades = new ConcurrentHashMap<>();
    Knob knob = Knob.NONE;
    if (spec.policy().equals(CascadePolicy.NAME)) {
      knob =
          strictnessGrid(
              spec,
              prompt ->
                  cascades.computeIfAbsent(
                      prompt.id(), id -> cascade(routed(router, prompt, context)).orElseThrow()),
              context);
    } else if (spec.policy().equals(ThresholdPolicy.NAME)) {
      knob = new LearnedThresholdKnob(spec, fits.fit(train, spec, context), context);
    } else if (spec.policy().equals(ObjectivePolicy.NAME)) {
      knob = costWeightGrid(spec, fits.fit(train, spec, context), context);
    } else if (threshold.isPresent()) {
      knob = new ThresholdKnob(threshold.get(), context);
    }
    Knob fittedKnob = knob;
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
        return fittedKnob;
      }

      @Override
      public List<String> notes() {
        return notes;
      }
    };
  }

  /**
   * Learned routes' artifacts fitted on this fold; a bandit route's learner is the one its seeded
   * online pass over the fold's training part left (see {@link BanditPass}), shared by every route.
   */
  private PolicyRegistry registry(List<EvalPrompt> train, EvalContext context, List<String> notes) {
    java.util.function.Function<RouteSpec, LearnedArtifact> fitted =
        spec -> fits.fit(train, spec, context);
    return PolicyRegistry.builtIn(
        ArtifactSource.of(
            fitted,
            (spec, artifact) -> {
              BanditPass.Result pass =
                  fits.banditPass(
                      train,
                      spec,
                      () ->
                          BanditPass.run(
                              config,
                              spec,
                              artifact,
                              train,
                              context,
                              learner ->
                                  // Another bandit route is not what this pass teaches: it gets an
                                  // untrained learner here.
                                  new Router(
                                      config,
                                      PolicyRegistry.builtIn(
                                          ArtifactSource.of(
                                              fitted,
                                              (other, a) ->
                                                  other.name().equals(spec.name())
                                                      ? learner
                                                      : new BanditLearner(
                                                          other.models(),
                                                          BanditPolicy.dimensions(a),
                                                          java.util.Optional.empty()))))));
              if (spec.name().equals(route)) {
                pass.curve()
                    .forEach(
                        line ->
                            notes.add(
                                "online pass over " + train.size() + " training prompts, " + line));
              }
              return pass.learner();
            }));
  }

  private String decide(Router with, EvalPrompt prompt, EvalContext context) {
    return routed(with, prompt, context).plan().get(0).model().name();
  }

  private Decision.Routed routed(Router with, EvalPrompt prompt, EvalContext context) {
    Map<String, String> headers = new HashMap<>();
    // Every column, not only this route's: a rule may hand the request to another score route.
    prompt
        .scores()
        .forEach(
            (column, value) ->
                headers.put(ThresholdSpec.headerFor(column), Double.toString(value)));
    RequestSignals signals =
        TrainingData.signals(
            prompt, route, headers, config.route(route).orElseThrow().defaultMaxTokens(), context);
    return switch (with.decide(signals, context.seedFor(prompt), PoolSnapshot.EMPTY)) {
      case Decision.Routed routed -> routed;
      case Decision.Rejected rejected ->
          throw new DataException(
              context.dataset().source(),
              0,
              prompt.id(),
              "route '" + route + "' refused the prompt: " + rejected.error().getMessage());
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
   * The cascade that serves a routed prompt, when the route (or the one a rule handed it to) is a
   * cascade.
   */
  private static Optional<Cascade> cascade(Decision.Routed routed) {
    if (!routed.route().policy().equals(CascadePolicy.NAME)) {
      return Optional.empty();
    }
    List<String> stages =
        CascadeRunner.stages(routed.plan(), routed.route()).stream()
            .map(s -> s.model().name())
            .toList();
    return Optional.of(new Cascade(routed.route().cascade(), stages));
  }

  /**
   * A cascade's knob: how strict its checks are, from none (the first stage always serves) through
   * the configured checks one by one to turning every answer down (the last stage always serves,
   * every stage paid for).
   */
  private static Knob strictnessGrid(
      RouteSpec spec,
      java.util.function.Function<EvalPrompt, Cascade> cascades,
      EvalContext context) {
    List<String> labels = new ArrayList<>();
    List<OfflineCascade.Strictness> settings = new ArrayList<>();
    List<String> kinds = spec.cascade().checks().stream().map(CascadeSpec.Check::kind).toList();
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

  private Router routerAt(double value) {
    return routers.computeIfAbsent(
        value,
        v -> {
          Map<String, RouteSpec> routes = new LinkedHashMap<>(config.routes());
          RouteSpec spec = routes.get(route);
          routes.put(route, spec.withThreshold(spec.threshold().orElseThrow().withValue(v)));
          GatewayConfig swept =
              new GatewayConfig(
                  config.server(),
                  config.auth(),
                  config.traces(),
                  config.deployments(),
                  config.models(),
                  routes,
                  config.text(),
                  config.hash());
          return new Router(swept, PolicyRegistry.builtIn());
        });
  }

  private final Map<Double, Router> routers = new ConcurrentHashMap<>();

  /** The cost weights an objective route's curve is drawn over, its other weights as configured. */
  static final double[] COST_WEIGHTS = {
    0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10
  };

  /**
   * An objective route's knob: the cost weight. Each prompt's predicted qualities are computed once
   * and ranked by {@link ObjectivePolicy#rank}, the function the route's policy decides with, on an
   * idle pool.
   */
  private Knob costWeightGrid(RouteSpec spec, LearnedArtifact artifact, EvalContext context) {
    List<Candidate> candidates =
        spec.models().stream().map(m -> config.model(m).orElseThrow().candidate()).toList();
    Map<String, double[]> predictions = new ConcurrentHashMap<>();
    List<String> labels = new ArrayList<>();
    List<ObjectiveSpec> settings = new ArrayList<>();
    ObjectiveSpec base = spec.learning().objective();
    for (double weight : COST_WEIGHTS) {
      labels.add("cost weight " + weight);
      settings.add(
          new ObjectiveSpec(
              base.preset(),
              base.quality(),
              weight,
              base.latency(),
              base.energy(),
              base.maxCostUsd(),
              base.maxLatencyMillis()));
    }
    return FittedPolicy.onGrid(
            labels,
            0,
            (prompt, setting) -> {
              double[] predicted =
                  predictions.computeIfAbsent(
                      prompt.id(),
                      id ->
                          ObjectivePolicy.predict(
                              artifact,
                              TrainingData.signals(
                                  prompt, route, Map.of(), spec.defaultMaxTokens(), context)));
              List<ScoredModel> order =
                  ObjectivePolicy.rank(
                      settings.get(setting),
                      artifact,
                      predicted,
                      candidates,
                      context.promptTokens(prompt),
                      spec.defaultMaxTokens(),
                      PoolSnapshot.EMPTY);
              return order.isEmpty() ? spec.models().get(0) : order.get(0).model();
            })
        .knob();
  }

  /**
   * A learned threshold route's knob: its win score (the strong model's predicted quality minus the
   * weak one's), computed once per prompt; the route sends a prompt to the strong model exactly
   * when the score is at least the threshold, which {@code LearnedRoutesTest} checks against the
   * router.
   */
  private final class LearnedThresholdKnob extends TwoModelKnob {
    private final LearnedArtifact artifact;
    private final Map<String, Double> scores = new ConcurrentHashMap<>();

    LearnedThresholdKnob(RouteSpec route, LearnedArtifact artifact, EvalContext context) {
      super(route.threshold().orElseThrow(), context);
      this.artifact = artifact;
    }

    @Override
    public double score(EvalPrompt prompt) {
      return scores.computeIfAbsent(
          prompt.id(),
          id ->
              ThresholdPolicy.winScore(
                  artifact,
                  spec,
                  TrainingData.signals(
                      prompt, route, Map.of(), RouteSpec.DEFAULT_MAX_TOKENS, context)));
    }

    @Override
    public String chooseAt(EvalPrompt prompt, double t) {
      return score(prompt) >= t ? spec.strong() : spec.weak();
    }
  }

  /** A threshold knob between a route's strong and weak model. */
  private abstract static class TwoModelKnob implements Knob.Threshold {
    final ThresholdSpec spec;
    final EvalContext context;

    TwoModelKnob(ThresholdSpec spec, EvalContext context) {
      this.spec = spec;
      this.context = context;
    }

    @Override
    public String strong() {
      return spec.strong();
    }

    @Override
    public String weak() {
      return spec.weak();
    }
  }

  /**
   * A score route's knob: the data's score column, decided through the router at each threshold.
   */
  private final class ThresholdKnob extends TwoModelKnob {
    ThresholdKnob(ThresholdSpec spec, EvalContext context) {
      super(spec, context);
    }

    @Override
    public double score(EvalPrompt prompt) {
      return prompt
          .score(spec.score())
          .orElseThrow(
              () ->
                  new DataException(
                      context.dataset().source(),
                      0,
                      prompt.id(),
                      "route '"
                          + route
                          + "' reads the score column '"
                          + spec.score()
                          + "', which this prompt lacks"));
    }

    @Override
    public String chooseAt(EvalPrompt prompt, double t) {
      return decide(routerAt(t), prompt, context);
    }
  }
}
