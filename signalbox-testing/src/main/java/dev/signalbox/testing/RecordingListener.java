package dev.signalbox.testing;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.RoutingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records every event of every request as a short line, e.g. {@code attemptFailed mid@mid-east
 * 503}, and every trace. One listener serves all requests, so it is its own factory.
 */
public final class RecordingListener implements RoutingListener, RoutingListener.Factory {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<DecisionTrace> traces = new CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ended = lock.newCondition();

  @Override
  public RoutingListener create(String requestId, ChatRequest request) {
    return this;
  }

  @Override
  public void requestStart(ChatRequest request) {
    events.add("requestStart " + request.model());
  }

  @Override
  public void decided(DecisionRecord decision) {
    events.add(
        "decided "
            + String.join(">", decision.routes())
            + " "
            + (decision.plan().isEmpty()
                ? "refused"
                : decision.plan().get(0).model() + "@" + decision.plan().get(0).deployment()));
  }

  @Override
  public void attemptStart(PlanStep step, int attempt) {
    events.add("attemptStart " + step.model() + "@" + step.deployment());
  }

  @Override
  public void firstToken(PlanStep step, Duration timeToFirstToken) {
    events.add("firstToken " + step.model() + "@" + step.deployment());
  }

  @Override
  public void attemptEnd(AttemptTrace attempt) {
    events.add(
        "attemptEnd " + attempt.model() + "@" + attempt.deployment() + " " + attempt.result());
  }

  @Override
  public void attemptFailed(AttemptTrace attempt) {
    events.add(
        "attemptFailed " + attempt.model() + "@" + attempt.deployment() + " " + attempt.result());
  }

  @Override
  public void fallback(PlanStep from, String reason) {
    events.add("fallback " + from.model() + "@" + from.deployment() + " " + reason);
  }

  @Override
  public void requestFailed(DecisionTrace trace, Duration duration) {
    ended("requestFailed", trace);
  }

  @Override
  public void requestEnd(DecisionTrace trace, Duration duration) {
    ended("requestEnd", trace);
  }

  private void ended(String event, DecisionTrace trace) {
    events.add(event + " " + trace.outcome());
    lock.lock();
    try {
      traces.add(trace);
      ended.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the request with this id has ended, and returns its trace. */
  public DecisionTrace awaitTrace(String requestId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        for (DecisionTrace t : traces) {
          if (t.id().equals(requestId)) {
            return t;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("request " + requestId + " did not end within " + timeout);
        }
        ended.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
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
