package dev.signalbox.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code rules} policy: the first rule that matches hands the request to its route; no match
 * goes to the default route, or ranks the route's own models in order.
 *
 * @param defaultRoute where a request no rule matched goes; "" to rank the route's own models
 * @param domains the classifier that domain rules read
 */
public record RulesPolicySpec(
    List<RuleSpec> rules,
    @JsonProperty("default") @Default("") String defaultRoute,
    Optional<DomainSpec> domains)
    implements PolicySpec {

  public RulesPolicySpec {
    List<RuleSpec> named = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      named.add(rules.get(i).named("rules[" + i + "]"));
    }
    rules = List.copyOf(named);
  }

  @Override
  public List<String> delegatesTo() {
    List<String> targets = new ArrayList<>(rules.stream().map(RuleSpec::route).toList());
    if (!defaultRoute.isEmpty()) {
      targets.add(defaultRoute);
    }
    return targets;
  }

  @Override
  public void check(RouteCheck check) {
    if (rules.isEmpty()) {
      check.problem("rules", "the rules policy needs at least one rule");
    }
    for (int i = 0; i < rules.size(); i++) {
      check.knownRoute("rules[" + i + "].route", rules.get(i).route());
    }
    if (defaultRoute.isEmpty() && check.route().models().isEmpty()) {
      check.problem(
          "default", "missing (where requests go that no rule matches), or give the route models");
    } else if (!defaultRoute.isEmpty()) {
      check.knownRoute("default", defaultRoute);
    }
    check
        .delegationCycle()
        .ifPresent(
            trail ->
                check.problem(
                    "rules",
                    "delegation loops back to itself (" + String.join(" -> ", trail) + ")"));
    for (int i = 0; i < rules.size(); i++) {
      if (!rules.get(i).domains().isEmpty() && domains.isEmpty()) {
        check.problem(
            "rules[" + i + "].domain",
            "the route classifies no domains: give it domains: {exemplars: {...}}");
      }
    }
  }
}
