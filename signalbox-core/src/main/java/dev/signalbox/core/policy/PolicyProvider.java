package dev.signalbox.core.policy;

import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.core.config.PolicySpec;
import dev.signalbox.core.config.RouteSpec;

/**
 * A routing policy as a plug-in: its name, the record its route settings bind to, how a route's
 * policy is built, how the gateway runs the plan it ranks, and the setting {@code eval} sweeps.
 * Providers are found with {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.signalbox.core.policy.PolicyProvider}): the built-in ones are registered
 * that way too, so a jar on the class path adds a policy that config, {@code validate}, {@code
 * serve}, {@code eval} and {@code replay} all know. Implementations need a public no-argument
 * constructor.
 *
 * @param <S> the record a route's policy settings bind to
 */
public interface PolicyProvider<S extends PolicySpec> {
  /** What a route's {@code policy:} names, e.g. {@code cheapest}. */
  String name();

  /** The record the route's other keys bind to: its components are the keys the policy reads. */
  Class<S> specType();

  /**
   * The policy deciding {@code route}. Policies are pure (no clock, no I/O, no randomness but the
   * input's seed); what they need beyond their spec comes from the context.
   */
  RoutingPolicy create(RouteSpec route, S spec, PolicyContext context);

  /** How the gateway runs the plan this policy ranks: as a plain plan unless said otherwise. */
  default Execution execution(S spec) {
    return new Execution.Plan();
  }

  /**
   * What {@code eval} turns to trade quality for cost, read from the policy built for the route;
   * none by default (the route is one point).
   */
  default Knob knob(RouteSpec route, S spec, RoutingPolicy policy, PolicyContext context) {
    return new Knob.None();
  }
}
