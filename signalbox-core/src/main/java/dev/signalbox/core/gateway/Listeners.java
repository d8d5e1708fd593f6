package dev.signalbox.core.gateway;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CascadeStepTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.RoutingListener;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Several listener factories as one: each request gets the listeners every factory makes for it. A
 * listener that throws despite its contract is logged and skipped.
 */
public final class Listeners implements RoutingListener.Factory {
  private static final Logger LOG = Logger.getLogger(Listeners.class.getName());
  private final List<RoutingListener.Factory> factories;

  public Listeners(List<RoutingListener.Factory> factories) {
    this.factories = List.copyOf(factories);
  }

  @Override
  public RoutingListener create(String requestId, ChatRequest request) {
    return create(requestId, request, Map.of());
  }

  @Override
  public RoutingListener create(
      String requestId, ChatRequest request, Map<String, String> headers) {
    List<RoutingListener> made =
        factories.stream().map(factory -> factory.create(requestId, request, headers)).toList();
    return new Each(made);
  }

  private record Each(List<RoutingListener> listeners) implements RoutingListener {
    private void each(Consumer<RoutingListener> event) {
      for (RoutingListener l : listeners) {
        try {
          event.accept(l);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "listener " + l.getClass().getSimpleName() + " threw", e);
        }
      }
    }

    @Override
    public void requestStart(ChatRequest request) {
      each(l -> l.requestStart(request));
    }

    @Override
    public void decided(DecisionRecord decision) {
      each(l -> l.decided(decision));
    }

    @Override
    public void attemptStart(PlanStep step, int attempt) {
      each(l -> l.attemptStart(step, attempt));
    }

    @Override
    public Map<String, String> attemptContext() {
      // Every attempt asks; without a tracing listener that costs no allocation.
      Map<String, String> headers = Map.of();
      for (RoutingListener l : listeners) {
        Map<String, String> context;
        try {
          context = l.attemptContext();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "listener " + l.getClass().getSimpleName() + " threw", e);
          continue;
        }
        if (!context.isEmpty()) {
          if (headers.isEmpty()) {
            headers = context;
          } else {
            headers = new LinkedHashMap<>(headers);
            headers.putAll(context);
          }
        }
      }
      return headers;
    }

    @Override
    public void firstToken(PlanStep step, Duration timeToFirstToken) {
      each(l -> l.firstToken(step, timeToFirstToken));
    }

    @Override
    public void attemptEnd(AttemptTrace attempt) {
      each(l -> l.attemptEnd(attempt));
    }

    @Override
    public void attemptFailed(AttemptTrace attempt) {
      each(l -> l.attemptFailed(attempt));
    }

    @Override
    public void fallback(PlanStep from, String reason) {
      each(l -> l.fallback(from, reason));
    }

    @Override
    public void cascadeStageStart(int stage, String model) {
      each(l -> l.cascadeStageStart(stage, model));
    }

    @Override
    public void cascadeStageEnd(CascadeStepTrace stage) {
      each(l -> l.cascadeStageEnd(stage));
    }

    @Override
    public void answered(String finishReason, String answer) {
      each(l -> l.answered(finishReason, answer));
    }

    @Override
    public void requestEnd(DecisionTrace trace, Duration duration) {
      each(l -> l.requestEnd(trace, duration));
    }

    @Override
    public void requestFailed(DecisionTrace trace, Duration duration) {
      each(l -> l.requestFailed(trace, duration));
    }
  }
}
