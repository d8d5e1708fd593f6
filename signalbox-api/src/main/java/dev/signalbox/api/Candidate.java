package dev.signalbox.api;

import java.util.List;
import java.util.Objects;

/**
 * A logical model a policy may choose, with what policies need to know of it, and the deployments
 * that serve it.
 */
public record Candidate(
    String model,
    Pricing pricing,
    int contextWindow,
    double joulesPerToken,
    List<String> deployments) {
  public Candidate {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(pricing, "pricing");
    deployments = List.copyOf(deployments);
  }

  public Candidate(String model, Pricing pricing, int contextWindow, double joulesPerToken) {
    this(model, pricing, contextWindow, joulesPerToken, List.of());
  }
}
