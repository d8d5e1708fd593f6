package dev.signalbox.cli.plugin;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.PolicySpec;
import dev.signalbox.core.config.RouteCheck;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.policy.Knob;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * A policy from outside the gateway, as a user would write one: the route's models in the order of
 * its {@code prefer} list, the rest after. Registered only by the test class path's {@code
 * META-INF/services} file, so config, validate, serve and eval know it without a line of core
 * changing.
 */
public final class PreferredPolicy implements RoutingPolicy {
  /** The route keys this policy reads. */
  public record Spec(List<String> prefer) implements PolicySpec.Custom {
    public Spec {
      prefer = List.copyOf(prefer);
    }

    @Override
    public void check(RouteCheck check) {
      for (int i = 0; i < prefer.size(); i++) {
        if (!check.route().models().contains(prefer.get(i))) {
          check.problem(
              "prefer[" + i + "]", "'" + prefer.get(i) + "' is not one of the route's models");
        }
      }
    }
  }

  /** The plug-in: found by ServiceLoader. */
  public static final class Provider implements PolicyProvider<Spec> {
    @Override
    public String name() {
      return "preferred";
    }

    @Override
    public Class<Spec> specType() {
      return Spec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, Spec spec, PolicyContext context) {
      return new PreferredPolicy(spec.prefer());
    }

    /** Offline, every model of the route in turn: one point per model. */
    @Override
    public Knob knob(RouteSpec route, Spec spec, RoutingPolicy policy, PolicyContext context) {
      List<String> models = route.models();
      return new Knob.Grid(
          models.stream().map(m -> "always " + m).toList(),
          (signals, setting) -> models.get(setting));
    }
  }

  private final List<String> prefer;

  PreferredPolicy(List<String> prefer) {
    this.prefer = prefer;
  }

  @Override
  public String name() {
    return "preferred";
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    List<ScoredModel> order = new ArrayList<>();
    for (String model : prefer) {
      if (input.candidates().stream().map(Candidate::model).anyMatch(model::equals)) {
        order.add(new ScoredModel(model, prefer.size() - order.size(), "preferred"));
      }
    }
    for (Candidate candidate : input.candidates()) {
      if (!prefer.contains(candidate.model())) {
        order.add(new ScoredModel(candidate.model(), 0, "not preferred"));
      }
    }
    return PolicyResult.Ranked.deterministic(order);
  }
}
