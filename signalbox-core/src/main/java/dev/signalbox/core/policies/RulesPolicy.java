package dev.signalbox.core.policies;

import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.Signals;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.RuleSpec;
import dev.signalbox.core.config.RulesPolicySpec;
import dev.signalbox.core.learn.DomainClassifier;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.text.EmbeddedText;
import java.util.List;
import java.util.Optional;

/**
 * Sends a request to another route by the first rule that matches: keywords or a regex on the last
 * user message, a prompt-token range, tools or images present, a header value (vLLM Semantic
 * Router's keyword and context signals, as decisions). No match goes to the default route, or ranks
 * the route's own models in order.
 */
public final class RulesPolicy implements RoutingPolicy {
  public static final String NAME = "rules";

  /** Registers the policy; its domain classifier embeds its exemplars as it is built. */
  public static final class Provider implements PolicyProvider<RulesPolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<RulesPolicySpec> specType() {
      return RulesPolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, RulesPolicySpec spec, PolicyContext context) {
      return new RulesPolicy(
          spec.rules(),
          spec.defaultRoute(),
          spec.domains().map(domains -> new DomainClassifier(domains, context.embeddings().get())));
    }
  }

  private final List<RuleSpec> rules;
  private final String defaultRoute;
  private final PriorityPolicy ownModels = new PriorityPolicy();
  private final Optional<DomainClassifier> domains;

  RulesPolicy(List<RuleSpec> rules, String defaultRoute) {
    this(rules, defaultRoute, Optional.empty());
  }

  /** A rules policy; {@code domains} classifies the request for domain rules. */
  RulesPolicy(List<RuleSpec> rules, String defaultRoute, Optional<DomainClassifier> domains) {
    this.rules = List.copyOf(rules);
    this.defaultRoute = defaultRoute;
    this.domains = domains;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    DomainOnce domain = new DomainOnce(input.signals());
    for (RuleSpec rule : rules) {
      Optional<String> why = matches(rule, input.signals(), domain);
      if (why.isPresent()) {
        return new PolicyResult.Delegated(
            rule.route(), "rule '" + rule.name() + "' matched: " + why.get());
      }
    }
    if (!defaultRoute.isEmpty()) {
      return new PolicyResult.Delegated(defaultRoute, "no rule matched; default route");
    }
    return ownModels.decide(input);
  }

  /** The request's domain, classified when a rule first asks and only then. */
  private final class DomainOnce {
    private final Signals signals;
    private DomainClassifier.Verdict verdict;

    DomainOnce(Signals signals) {
      this.signals = signals;
    }

    DomainClassifier.Verdict get() {
      if (verdict == null) {
        verdict =
            domains
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "a rule reads the domain but the route classifies none"))
                .classify(signals.embedding(EmbeddedText.LAST_USER));
      }
      return verdict;
    }
  }

  static Optional<String> matches(RuleSpec rule, Signals signals) {
    RulesPolicy alone = new RulesPolicy(List.of(rule), "");
    return alone.matches(rule, signals, alone.new DomainOnce(signals));
  }

  /** Why the rule matches, or empty when one of its conditions fails. */
  private Optional<String> matches(RuleSpec rule, Signals signals, DomainOnce domain) {
    StringBuilder why = new StringBuilder();
    if (!rule.languages().isEmpty()) {
      String language = signals.language();
      if (!rule.languages().contains(language)) {
        return Optional.empty();
      }
      why.append("language ").append(language).append(' ');
    }
    if (!rule.domains().isEmpty()) {
      DomainClassifier.Verdict verdict = domain.get();
      if (verdict.domain().isEmpty() || !rule.domains().contains(verdict.domain().get())) {
        return Optional.empty();
      }
      why.append(
          String.format(
              java.util.Locale.ROOT,
              "domain %s (confidence %.2f) ",
              verdict.domain().get(),
              verdict.confidence()));
    }
    if (!rule.keywords().isEmpty()) {
      Optional<String> hit = signals.firstKeyword(rule.keywords());
      if (hit.isEmpty()) {
        return Optional.empty();
      }
      why.append("keyword '").append(hit.get()).append("' ");
    }
    if (rule.regex().isPresent()) {
      if (!signals.matches(rule.regex().get())) {
        return Optional.empty();
      }
      why.append("regex /").append(rule.regex().get().pattern()).append("/ ");
    }
    if (rule.minPromptTokens().isPresent() || rule.maxPromptTokens().isPresent()) {
      long min = rule.minPromptTokens().orElse(0);
      long max = rule.maxPromptTokens().orElse(Long.MAX_VALUE);
      // A bound that costs no tokenizing (a prompt has at most as many tokens as UTF-8 bytes)
      // settles most rules: a short prompt is below a long-prompt rule's minimum, and within a
      // short-prompt rule's maximum. Only a prompt the bound leaves in doubt is counted.
      long atMost = signals.promptTokensAtMost();
      if (atMost < min) {
        return Optional.empty();
      }
      if (min == 0 && atMost <= max) {
        why.append("prompt at most ").append(atMost).append(" tokens ");
      } else {
        long tokens = signals.promptTokens();
        if (tokens < min || tokens > max) {
          return Optional.empty();
        }
        why.append("prompt ").append(tokens).append(" tokens ");
      }
    }
    if (rule.tools().isPresent()) {
      if (signals.hasTools() != rule.tools().get()) {
        return Optional.empty();
      }
      why.append(rule.tools().get() ? "tools " : "no tools ");
    }
    if (rule.images().isPresent()) {
      if (signals.hasImages() != rule.images().get()) {
        return Optional.empty();
      }
      why.append(rule.images().get() ? "images " : "no images ");
    }
    if (rule.header().isPresent()) {
      RuleSpec.HeaderMatch header = rule.header().get();
      Optional<String> value = signals.header(header.name());
      if (value.isEmpty() || !value.get().equalsIgnoreCase(header.value())) {
        return Optional.empty();
      }
      String shown =
          RequestSignals.CREDENTIAL_HEADERS.contains(header.name())
              ? RequestSignals.REDACTED
              : header.value();
      why.append("header ").append(header.name()).append('=').append(shown).append(' ');
    }
    return Optional.of(why.length() == 0 ? "unconditional" : why.toString().trim());
  }
}
