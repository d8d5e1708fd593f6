package dev.signalbox.api;

import java.util.Objects;

/** A logical model a policy may choose, with what policies need to know of it. */
public record Candidate(String model, Pricing pricing, int contextWindow, double joulesPerToken) {
  public Candidate {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(pricing, "pricing");
  }
}
