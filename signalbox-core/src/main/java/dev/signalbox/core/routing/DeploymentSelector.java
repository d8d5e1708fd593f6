package dev.signalbox.core.routing;

import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Orders a model's deployments for its attempts: the first is tried first, the rest are fallbacks. */
interface DeploymentSelector {
  List<DeploymentSpec> order(List<DeploymentSpec> deployments, PoolSnapshot pool, long seed);

  static DeploymentSelector of(ModelSpec.SelectorKind kind) {
    return switch (kind) {
      case PRIORITY -> (deployments, pool, seed) -> List.copyOf(deployments);
      case WEIGHTED -> DeploymentSelector::weighted;
    };
  }

  /** The first drawn in proportion to weight, seeded by the request; the rest in listed order. */
  private static List<DeploymentSpec> weighted(List<DeploymentSpec> deployments, PoolSnapshot pool, long seed) {
    double total = deployments.stream().mapToDouble(DeploymentSpec::weight).sum();
    if (deployments.size() < 2 || total <= 0) {
      return List.copyOf(deployments);
    }
    double point = new SplittableRandom(seed).nextDouble() * total;
    int chosen = deployments.size() - 1;
    double cumulative = 0;
    for (int i = 0; i < deployments.size(); i++) {
      cumulative += deployments.get(i).weight();
      if (point < cumulative) {
        chosen = i;
        break;
      }
    }
    List<DeploymentSpec> order = new ArrayList<>(deployments.size());
    order.add(deployments.get(chosen));
    for (int i = 0; i < deployments.size(); i++) {
      if (i != chosen) {
        order.add(deployments.get(i));
      }
    }
    return order;
  }
}
