package dev.signalbox.core.routing;

import dev.signalbox.api.PlanStep;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.ModelSpec;

/** One step of a plan with the specs the dispatcher needs. */
public record PlannedAttempt(ModelSpec model, DeploymentSpec deployment) {
  public PlanStep step() {
    return new PlanStep(model.name(), deployment.name());
  }
}
