package dev.signalbox.core.routing;

import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.SessionSpec;
import dev.signalbox.core.policy.Execution;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyException;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.session.SessionSteering;
import dev.signalbox.core.session.SessionStore;
import dev.signalbox.core.session.ToolLoops;
import dev.signalbox.core.wire.Truncated;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns a request into a plan: resolve the name to a route or a model, filter the candidates (each
 * exclusion with its reason), let the policy order them (following rule delegations), append the
 * route's fallbacks, then order each model's deployments. Pure given its inputs.
 */
public final class Router {
  static final String DIRECT = RouteSpec.DIRECT;
  private static final int MAX_DELEGATIONS = 16;
  private static final List<EligibilityFilter> FILTERS =
      List.of(EligibilityFilter.CONTEXT_WINDOW, EligibilityFilter.CAPABILITIES);

  private final GatewayConfig config;
  private final Map<String, RoutingPolicy> policies = new LinkedHashMap<>();
  private final Map<String, Execution> executions = new LinkedHashMap<>();

  /**
   * Builds every route's policy.
   *
   * @param services what policies are built with besides the config
   */
  public Router(GatewayConfig config, PolicyRegistry registry, PolicyServices services) {
    this.config = config;
    PolicyContext over = new PolicyContext(config, services);
    List<String> problems = new ArrayList<>();
    for (RouteSpec route : config.routes().values()) {
      try {
        policies.put(route.name(), registry.create(route, over));
        executions.put(route.name(), registry.execution(route));
      } catch (PolicyException e) {
        problems.add("routes." + route.name() + ".artifact: " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("config " + config.hash().substring(0, 12), problems);
    }
  }

  /** The policy deciding a route, if the route exists. */
  public Optional<RoutingPolicy> policy(String route) {
    return Optional.ofNullable(policies.get(route));
  }

  /** Whether {@code name} is a route or model this gateway serves. */
  public boolean knows(String name) {
    return config.routes().containsKey(name) || config.models().containsKey(name);
  }

  /** Decides for a caller who may use every route and model. */
  public Decision decide(RoutingSignals signals, long seed, PoolSnapshot pool) {
    return decide(signals, seed, pool, name -> true);
  }

  /**
   * Decides for a caller who may use only the routes and models {@code allowed} accepts: the
   * requested name and every route a rule delegates to must pass, or the decision is a 403 that
   * names the refused step.
   */
  public Decision decide(
      RoutingSignals signals, long seed, PoolSnapshot pool, Predicate<String> allowed) {
    String name = signals.requestedModel();
    Optional<RouteSpec> route = config.route(name);
    if (route.isPresent()) {
      return decideRoute(route.get(), signals, seed, pool, allowed);
    }
    Optional<ModelSpec> model = config.model(name);
    if (model.isPresent()) {
      return decideModel(model.get(), signals, seed, pool);
    }
    var error =
        new SignalboxException(
            ErrorKind.NOT_FOUND,
            "The model '"
                + Truncated.of(name)
                + "' does not exist (routes: "
                + String.join(", ", config.routes().keySet().stream().filter(allowed).toList())
                + "; models: "
                + String.join(", ", config.models().keySet().stream().filter(allowed).toList())
                + ")",
            "model",
            "model_not_found");
    return new Decision.Rejected(
        record(List.of(), "", 1, seed, signals, List.of(), List.of(), 1, Map.of(), pool), error);
  }

  private Decision decideModel(
      ModelSpec model, RoutingSignals signals, long seed, PoolSnapshot pool) {
    RouteSpec implicit = RouteSpec.direct(model.name());
    List<CandidateTrace> traces = new ArrayList<>();
    Optional<String> excluded = exclusion(model, signals);
    if (excluded.isPresent()) {
      traces.add(new CandidateTrace(model.name(), excluded.get(), Double.NaN, ""));
      return noEligible(List.of(model.name()), DIRECT, 1, seed, signals, traces, pool);
    }
    traces.add(new CandidateTrace(model.name(), "", 1, "requested by name"));
    List<PlannedAttempt> plan = plan(List.of(model), seed, pool, signals, signals.toolLoop());
    return new Decision.Routed(
        record(
            List.of(model.name()),
            DIRECT,
            1,
            seed,
            signals,
            traces,
            steps(plan),
            1,
            Map.of(model.name(), 1.0),
            pool),
        plan,
        implicit,
        new Execution.Plan());
  }

  private Decision decideRoute(
      RouteSpec first,
      RoutingSignals initial,
      long seed,
      PoolSnapshot pool,
      Predicate<String> allowed) {
    List<String> trail = new ArrayList<>();
    RouteSpec route = first;
    RoutingSignals signals = initial;
    for (int hop = 0; hop < MAX_DELEGATIONS; hop++) {
      trail.add(route.name());
      signals = signals.withDefaultMaxTokens(route.defaultMaxTokens());
      RoutingPolicy policy = policies.get(route.name());
      List<CandidateTrace> traces = new ArrayList<>();
      List<ModelSpec> eligible = eligible(route.models(), signals, traces);
      if (eligible.isEmpty() && route.spec().delegatesTo().isEmpty()) {
        return noEligible(trail, policy.name(), policy.version(), seed, signals, traces, pool);
      }
      PolicyResult result =
          policy.decide(
              new PolicyInput(
                  signals, eligible.stream().map(ModelSpec::candidate).toList(), pool, seed));
      switch (result) {
        case PolicyResult.Delegated delegated -> {
          String from = trail.get(trail.size() - 1);
          signals.note(RoutingSignals.RULE + from, delegated.reason());
          if (!allowed.test(delegated.route())) {
            trail.add(delegated.route());
            return rejected(
                trail,
                policy.name(),
                policy.version(),
                seed,
                signals,
                traces,
                pool,
                new SignalboxException(
                    ErrorKind.FORBIDDEN,
                    "Your key may use '"
                        + first.name()
                        + "', but route '"
                        + from
                        + "' delegated this request to '"
                        + delegated.route()
                        + "' ("
                        + delegated.reason()
                        + "), which your key may not use.",
                    "model",
                    "route_not_allowed"));
          }
          route = config.route(delegated.route()).orElseThrow();
        }
        case PolicyResult.Ranked ranked -> {
          if (ranked.order().isEmpty()) {
            return noEligible(trail, policy.name(), policy.version(), seed, signals, traces, pool);
          }
          return routed(route, trail, policy, ranked, signals, traces, seed, pool);
        }
      }
    }
    throw new IllegalStateException(
        "rules delegated more than " + MAX_DELEGATIONS + " times from " + first.name());
  }

  private Decision routed(
      RouteSpec route,
      List<String> trail,
      RoutingPolicy policy,
      PolicyResult.Ranked ranked,
      RoutingSignals signals,
      List<CandidateTrace> traces,
      long seed,
      PoolSnapshot pool) {
    if (route.sessions().active() && signals.session().isPresent()) {
      switch (steer(route, ranked.order(), signals)) {
        case SessionSteering.Result.Refused refused -> {
          var error =
              refused.badRequest()
                  ? new SignalboxException(
                      ErrorKind.INVALID_REQUEST,
                      refused.message(),
                      SessionSpec.BUDGET_HEADER,
                      "invalid_session_budget")
                  : new SignalboxException(
                      ErrorKind.BUDGET_EXHAUSTED,
                      refused.message(),
                      null,
                      "session_budget_exhausted");
          return rejected(
              trail, policy.name(), policy.version(), seed, signals, traces, pool, error);
        }
        case SessionSteering.Result.Steered steered -> {
          if (!steered.note().isEmpty()) {
            signals.note(RoutingSignals.SESSION_STEERING + route.name(), steered.note());
          }
          ranked =
              new PolicyResult.Ranked(steered.order(), ranked.propensity(), ranked.probabilities());
        }
      }
    }
    Optional<ToolLoops.Started> loop = signals.toolLoop();
    if (loop.isPresent()) {
      ranked = holdToolLoop(route, ranked, loop.get(), signals);
    }
    List<ModelSpec> order = new ArrayList<>();
    Map<String, ScoredModel> scores = new LinkedHashMap<>();
    for (ScoredModel scored : ranked.order()) {
      order.add(config.model(scored.model()).orElseThrow());
      scores.put(scored.model(), scored);
    }
    List<CandidateTrace> candidates = new ArrayList<>();
    for (CandidateTrace t : traces) {
      ScoredModel s = scores.get(t.model());
      candidates.add(s == null ? t : new CandidateTrace(t.model(), "", s.score(), s.reason()));
    }
    for (String fallback : route.fallbacks()) {
      if (scores.containsKey(fallback) || order.stream().anyMatch(m -> m.name().equals(fallback))) {
        continue;
      }
      ModelSpec model = config.model(fallback).orElseThrow();
      Optional<String> excluded = exclusion(model, signals);
      candidates.add(
          new CandidateTrace(
              fallback, excluded.orElse(""), Double.NaN, excluded.isEmpty() ? "fallback" : ""));
      if (excluded.isEmpty()) {
        order.add(model);
      }
    }
    List<PlannedAttempt> plan =
        PlanAdjustments.meetObjectives(
            plan(order, seed, pool, signals, loop), route.slo(), pool, signals);
    if (route.fallbackOrder() == RouteSpec.FallbackOrder.SELF_HEALING) {
      plan = PlanAdjustments.selfHealing(plan, pool, signals);
    }
    DecisionRecord record =
        record(
            trail,
            policy.name(),
            policy.version(),
            seed,
            signals,
            candidates,
            steps(plan),
            ranked.propensity(),
            ranked.probabilities(),
            pool);
    return new Decision.Routed(record, plan, route, executions.get(route.name()));
  }

  /**
   * A request that carries tool results continues its loop on the model that started it (first in
   * the order, whatever the policy or a session preferred), as long as the route can still use that
   * model; the trace says which rule held it.
   */
  private static PolicyResult.Ranked holdToolLoop(
      RouteSpec route, PolicyResult.Ranked ranked, ToolLoops.Started loop, RoutingSignals signals) {
    List<ScoredModel> order = new ArrayList<>(ranked.order());
    int at = -1;
    for (int i = 0; i < order.size() && at < 0; i++) {
      at = order.get(i).model().equals(loop.model()) ? i : -1;
    }
    if (at < 0) {
      signals.note(
          RoutingSignals.TOOL_LOOP_HELD + route.name(),
          "not held: the loop started on "
              + loop.model()
              + ", which is not a candidate here; routed afresh");
      return ranked;
    }
    order.add(0, order.remove(at));
    signals.note(
        RoutingSignals.TOOL_LOOP_HELD + route.name(),
        "held "
            + loop.model()
            + " (rule tool-loop: the request carries results of tool calls that "
            + loop.model()
            + "@"
            + loop.deployment()
            + " made; a route re-decides at a new user turn)");
    return new PolicyResult.Ranked(order, ranked.propensity(), ranked.probabilities());
  }

  private SessionSteering.Result steer(
      RouteSpec route, List<ScoredModel> order, RoutingSignals signals) {
    Optional<SessionStore.Session> state = signals.sessionState(route.name());
    OptionalDouble budget = route.sessions().budgetUsd();
    // A caller may set its session's budget on any route that follows sessions, but only below
    // the operator's: the header lowers a budget, never raises one.
    Optional<String> header = signals.header(SessionSpec.BUDGET_HEADER);
    if (header.isPresent()) {
      double value;
      try {
        value = Double.parseDouble(header.get().trim());
      } catch (NumberFormatException e) {
        value = Double.NaN;
      }
      if (!(value >= 0) || Double.isInfinite(value)) {
        return new SessionSteering.Result.Refused(
            "The header "
                + SessionSpec.BUDGET_HEADER
                + " must be a budget in USD, a number of 0 or more; got '"
                + Truncated.of(header.get(), 40)
                + "'.",
            true);
      }
      budget =
          OptionalDouble.of(budget.isPresent() ? Math.min(budget.getAsDouble(), value) : value);
    }
    long promptTokens = budget.isPresent() ? signals.promptTokens() : 0;
    long maxOutput = budget.isPresent() ? signals.maxOutputTokens() : 0;
    return SessionSteering.steer(
        route.sessions(),
        order,
        state,
        budget,
        model ->
            SessionSteering.stepCost(config.model(model).orElseThrow(), promptTokens, maxOutput));
  }

  private List<ModelSpec> eligible(
      List<String> names, RoutingSignals signals, List<CandidateTrace> traces) {
    List<ModelSpec> eligible = new ArrayList<>();
    for (String name : names) {
      ModelSpec model = config.model(name).orElseThrow();
      Optional<String> excluded = exclusion(model, signals);
      traces.add(new CandidateTrace(name, excluded.orElse(""), Double.NaN, ""));
      if (excluded.isEmpty()) {
        eligible.add(model);
      }
    }
    return eligible;
  }

  private static Optional<String> exclusion(ModelSpec model, RoutingSignals signals) {
    for (EligibilityFilter filter : FILTERS) {
      Optional<String> reason = filter.exclude(model, signals);
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  private List<PlannedAttempt> plan(
      List<ModelSpec> models,
      long seed,
      PoolSnapshot pool,
      RoutingSignals signals,
      Optional<ToolLoops.Started> loop) {
    List<PlannedAttempt> plan = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ModelSpec model : models) {
      if (!seen.add(model.name())) {
        continue;
      }
      List<DeploymentSpec> deployments =
          model.deployments().stream().map(config::deployment).toList();
      long modelSeed = seed ^ (model.name().hashCode() * 0x9E3779B97F4A7C15L);
      DeploymentSelector selector = DeploymentSelector.of(model.selector());
      DeploymentSelector.Request request =
          selector.readsRequest()
              ? new DeploymentSelector.Request(
                  signals.promptTokensAtMost(), signals.maxOutputTokens())
              : NO_REQUEST;
      List<DeploymentSpec> order = selector.order(deployments, pool, modelSeed, request);
      // A priority list is the operator's order; every other selector keeps a session on its
      // deployment.
      boolean affinity =
          deployments.size() > 1 && model.selector() != ModelSpec.SelectorKind.PRIORITY;
      List<DeploymentSpec> finished =
          DeploymentSelector.finish(order, pool, affinity ? signals.session() : Optional.empty());
      if (loop.isPresent() && loop.get().model().equals(model.name())) {
        finished = DeploymentSelector.holding(finished, pool, loop.get().deployment());
      }
      for (DeploymentSpec deployment : finished) {
        plan.add(new PlannedAttempt(model, deployment));
      }
    }
    return plan;
  }

  private static final DeploymentSelector.Request NO_REQUEST = new DeploymentSelector.Request(0, 0);

  private static List<PlanStep> steps(List<PlannedAttempt> plan) {
    return plan.stream().map(PlannedAttempt::step).toList();
  }

  /**
   * No candidate is left. When the request itself excluded every one (its context, its output
   * budget, a capability it needs) no retry can help: a 400, as OpenAI answers. Otherwise (the
   * policy chose none) a 503.
   */
  private Decision noEligible(
      List<String> trail,
      String policy,
      int version,
      long seed,
      RoutingSignals signals,
      List<CandidateTrace> traces,
      PoolSnapshot pool) {
    List<String> reasons = traces.stream().map(t -> t.model() + " [" + t.excluded() + "]").toList();
    String what =
        trail.isEmpty()
            ? "request"
            : (policy.equals(DIRECT) ? "model '" : "route '") + trail.get(trail.size() - 1) + "'";
    boolean requestExcludedAll =
        !traces.isEmpty() && traces.stream().allMatch(t -> !t.excluded().isEmpty());
    boolean contextOnly =
        requestExcludedAll && traces.stream().allMatch(t -> t.excluded().startsWith("context "));
    String message =
        (requestExcludedAll
                ? "No model of " + what + " can take this request"
                : "no eligible model for " + what)
            + " (excluded: "
            + String.join(", ", reasons)
            + ")";
    var error =
        requestExcludedAll
            ? new SignalboxException(
                ErrorKind.INVALID_REQUEST,
                message,
                contextOnly ? "messages" : null,
                contextOnly ? "context_length_exceeded" : "no_eligible_model")
            : new SignalboxException(
                ErrorKind.NO_ELIGIBLE_MODEL, message, null, "no_eligible_model");
    return rejected(trail, policy, version, seed, signals, traces, pool, error);
  }

  /** A refusal after routing read what it read: traced with no plan. */
  private static Decision rejected(
      List<String> trail,
      String policy,
      int version,
      long seed,
      RoutingSignals signals,
      List<CandidateTrace> traces,
      PoolSnapshot pool,
      SignalboxException error) {
    return new Decision.Rejected(
        record(trail, policy, version, seed, signals, traces, List.of(), 1, Map.of(), pool), error);
  }

  private static DecisionRecord record(
      List<String> trail,
      String policy,
      int version,
      long seed,
      RoutingSignals signals,
      List<CandidateTrace> candidates,
      List<PlanStep> plan,
      double propensity,
      Map<String, Double> probabilities,
      PoolSnapshot pool) {
    return new DecisionRecord(
        trail,
        policy,
        version,
        seed,
        signals.read(),
        candidates,
        plan,
        propensity,
        probabilities,
        pool);
  }
}
