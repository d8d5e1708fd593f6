package dev.signalbox.core.config;

import java.util.List;
import java.util.Map;

/**
 * A rules route's domain classifier: labelled example prompts; a request's domain is the
 * similarity-weighted vote of its k nearest examples (by the last user message's embedding), or
 * none when the winning domain's share of the vote is below {@code minConfidence}.
 */
public record DomainSpec(
    @Default("5") @Range(min = 1, max = 1000) int k,
    @Default("0.5") @Range(min = 0, max = 1) double minConfidence,
    @WhenMissing("a domain classifier needs example prompts per domain: {code: [...], math: [...]}")
        Map<String, List<String>> exemplars) {
  public DomainSpec {
    exemplars = Map.copyOf(exemplars);
    if (exemplars.isEmpty()) {
      throw new ConfigProblem(
          "exemplars",
          "missing (a domain classifier needs example prompts per domain: {code: [...], math:"
              + " [...]})");
    }
    exemplars.forEach(
        (domain, examples) -> {
          if (examples.isEmpty()) {
            throw new ConfigProblem("exemplars." + domain, "expected a list of example prompts");
          }
        });
  }
}
