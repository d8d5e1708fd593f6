package dev.signalbox.api;

import java.util.Objects;

/** A candidate model with the score a policy gave it and why. */
public record ScoredModel(String model, double score, String reason) {
  public ScoredModel {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(reason, "reason");
  }
}
