package dev.signalbox.core.dispatch;

import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PoolSnapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of each deployment, shared by all requests (and kept across reloads). Plain atomics:
 * a snapshot may mix values from a moment apart, which routing tolerates.
 */
public final class PoolState {
  private static final class Counters {
    final AtomicLong inFlight = new AtomicLong();
    final AtomicLong consecutiveFailures = new AtomicLong();
  }

  private final ConcurrentHashMap<String, Counters> deployments = new ConcurrentHashMap<>();

  private Counters of(String deployment) {
    return deployments.computeIfAbsent(deployment, d -> new Counters());
  }

  public void started(String deployment) {
    of(deployment).inFlight.incrementAndGet();
  }

  public void succeeded(String deployment) {
    Counters c = of(deployment);
    c.inFlight.decrementAndGet();
    c.consecutiveFailures.set(0);
  }

  public void failed(String deployment) {
    Counters c = of(deployment);
    c.inFlight.decrementAndGet();
    c.consecutiveFailures.incrementAndGet();
  }

  /** An attempt ended without telling anything of the deployment's health (the client left). */
  public void abandoned(String deployment) {
    of(deployment).inFlight.decrementAndGet();
  }

  public PoolSnapshot snapshot() {
    Map<String, DeploymentState> states = new HashMap<>();
    deployments.forEach((name, c) -> states.put(name, new DeploymentState(c.inFlight.get(), c.consecutiveFailures.get())));
    return new PoolSnapshot(states);
  }
}
