package dev.signalbox.eval.replay;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.PlanStep;
import java.util.List;
import java.util.Optional;

/**
 * How a plan would have fared on a recorded request: a deployment the recording tried answers as it
 * did then (a failure sends the plan on to its next step); one it did not try answers after its
 * median recorded latency, or, never seen at all, after the served attempt's time ({@code
 * modelled}).
 *
 * @param served the model that answered, empty when every step failed
 */
record PlanOutcome(Optional<String> served, int attempts, double millis, boolean modelled) {

  int fallbacks() {
    return Math.max(0, attempts - 1);
  }

  /** What the recording itself shows. */
  static PlanOutcome recorded(RecordedTraffic.Request request) {
    List<AttemptTrace> attempts = request.trace().attempts();
    double millis = attempts.stream().mapToDouble(AttemptTrace::durationMillis).sum();
    Optional<String> served =
        attempts.stream().filter(a -> a.result().equals("ok")).map(AttemptTrace::model).findFirst();
    return new PlanOutcome(served, attempts.size(), millis, false);
  }

  /** What {@code plan} would have given, under the recorded latencies and failures. */
  static PlanOutcome of(
      List<PlanStep> plan, RecordedTraffic.Request request, RecordedTraffic traffic) {
    double millis = 0;
    int attempts = 0;
    for (PlanStep step : plan) {
      attempts++;
      Optional<AttemptTrace> tried =
          request.trace().attempts().stream()
              .filter(a -> a.deployment().equals(step.deployment()))
              .findFirst();
      if (tried.isPresent()) {
        millis += tried.get().durationMillis();
        if (tried.get().result().equals("ok")) {
          return new PlanOutcome(Optional.of(step.model()), attempts, millis, false);
        }
        continue;
      }
      var median = traffic.medianMillis(step.deployment());
      if (median.isPresent()) {
        return new PlanOutcome(
            Optional.of(step.model()), attempts, millis + median.getAsDouble(), false);
      }
      PlanOutcome recorded = recorded(request);
      double servedMillis =
          request.trace().attempts().stream()
              .filter(a -> a.result().equals("ok"))
              .mapToDouble(AttemptTrace::durationMillis)
              .findFirst()
              .orElse(recorded.millis());
      return new PlanOutcome(Optional.of(step.model()), attempts, millis + servedMillis, true);
    }
    return new PlanOutcome(Optional.empty(), attempts, millis, false);
  }
}
