package dev.signalbox.core.gateway;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.RoutingListener;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Several listeners as one; a listener that throws despite its contract is logged and skipped. */
public final class Listeners implements RoutingListener {
  private static final Logger LOG = Logger.getLogger(Listeners.class.getName());
  private final List<RoutingListener> listeners;

  public Listeners(List<RoutingListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void each(java.util.function.Consumer<RoutingListener> event) {
    for (RoutingListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "listener " + l.getClass().getSimpleName() + " threw", e);
      }
    }
  }

  @Override
  public void requestStart(String requestId, ChatRequest request) {
    each(l -> l.requestStart(requestId, request));
  }

  @Override
  public void attemptStart(String requestId, PlanStep step, int attempt) {
    each(l -> l.attemptStart(requestId, step, attempt));
  }

  @Override
  public void firstToken(String requestId, PlanStep step, Duration timeToFirstToken) {
    each(l -> l.firstToken(requestId, step, timeToFirstToken));
  }

  @Override
  public void attemptEnd(String requestId, AttemptTrace attempt) {
    each(l -> l.attemptEnd(requestId, attempt));
  }

  @Override
  public void fallback(String requestId, PlanStep from, String reason) {
    each(l -> l.fallback(requestId, from, reason));
  }

  @Override
  public void requestEnd(DecisionTrace trace, Duration duration) {
    each(l -> l.requestEnd(trace, duration));
  }
}
