package dev.signalbox.core.config;

import java.util.List;
import java.util.Map;

/**
 * A rules route's domain classifier: labelled example prompts; a request's domain is the
 * similarity-weighted vote of its k nearest examples (by the last user message's embedding), or
 * none when the winning domain's share of the vote is below {@code minConfidence}.
 */
public record DomainSpec(int k, double minConfidence, Map<String, List<String>> exemplars) {
  public DomainSpec {
    exemplars = Map.copyOf(exemplars);
  }
}
