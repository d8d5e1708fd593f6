package dev.signalbox.testing;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.RoutingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event as a short line, e.g. {@code attemptEnd mid@mid-east 503}, and every trace. */
public final class RecordingListener implements RoutingListener {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<DecisionTrace> traces = new CopyOnWriteArrayList<>();

  @Override
  public void requestStart(String requestId, ChatRequest request) {
    events.add("requestStart " + request.model());
  }

  @Override
  public void attemptStart(String requestId, PlanStep step, int attempt) {
    events.add("attemptStart " + step.model() + "@" + step.deployment());
  }

  @Override
  public void firstToken(String requestId, PlanStep step, Duration timeToFirstToken) {
    events.add("firstToken " + step.model() + "@" + step.deployment());
  }

  @Override
  public void attemptEnd(String requestId, AttemptTrace attempt) {
    events.add("attemptEnd " + attempt.model() + "@" + attempt.deployment() + " " + attempt.result());
  }

  @Override
  public void fallback(String requestId, PlanStep from, String reason) {
    events.add("fallback " + from.model() + "@" + from.deployment() + " " + reason);
  }

  @Override
  public void requestEnd(DecisionTrace trace, Duration duration) {
    events.add("requestEnd " + trace.outcome());
    traces.add(trace);
  }

  public List<String> events() {
    return new ArrayList<>(events);
  }

  public List<DecisionTrace> traces() {
    return new ArrayList<>(traces);
  }

  public DecisionTrace lastTrace() {
    if (traces.isEmpty()) {
      throw new AssertionError("no trace recorded");
    }
    return traces.get(traces.size() - 1);
  }

  public void clear() {
    events.clear();
    traces.clear();
  }
}
