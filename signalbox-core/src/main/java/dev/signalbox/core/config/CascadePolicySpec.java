package dev.signalbox.core.config;

/** The {@code cascade} policy: its stages are the route's models, cheapest first. */
public record CascadePolicySpec(
    @WhenMissing("a cascade route names its checks: cascade: {checks: [{regex: ...}]}")
        CascadeSpec cascade)
    implements PolicySpec {

  @Override
  public void check(RouteCheck check) {
    if (check.route().models().size() < 2) {
      check.problem(
          "models",
          "a cascade needs two models or more: the cheapest answers first, the last one when"
              + " checks fail");
    }
    if (cascade.checks().isEmpty()) {
      check.problem(
          "cascade.checks",
          "missing (known checks: agreement, regex, arithmetic, json-schema, logprobs)");
    }
    if (cascade.samples() < 2
        && cascade.checks().stream().anyMatch(c -> c instanceof CascadeSpec.Agreement)) {
      check.problem(
          "cascade.samples", "an agreement check compares samples: set samples to 2 or more");
    }
  }
}
