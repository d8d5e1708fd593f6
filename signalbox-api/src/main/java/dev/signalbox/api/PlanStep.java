package dev.signalbox.api;

import java.util.Objects;

/** One (model, deployment) attempt of a plan. */
public record PlanStep(String model, String deployment) {
  public PlanStep {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(deployment, "deployment");
  }
}
