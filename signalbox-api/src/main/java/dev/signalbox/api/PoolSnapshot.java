package dev.signalbox.api;

import java.util.Map;

/** An immutable view of the pool's live state, keyed by deployment name. */
public record PoolSnapshot(Map<String, DeploymentState> deployments) {
  public static final PoolSnapshot EMPTY = new PoolSnapshot(Map.of());

  public PoolSnapshot {
    deployments = Map.copyOf(deployments);
  }

  public DeploymentState state(String deployment) {
    return deployments.getOrDefault(deployment, DeploymentState.IDLE);
  }
}
