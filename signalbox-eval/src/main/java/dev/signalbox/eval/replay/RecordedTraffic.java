package dev.signalbox.eval.replay;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.dispatch.Exchange;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The routed requests of a trace store, oldest first, with the feedback on each and what the
 * recording shows of each deployment's latency.
 */
public final class RecordedTraffic {
  /** One routed request as recorded; {@code reward} is its mean feedback score, when it has any. */
  public record Request(DecisionTrace trace, List<ChatMessage> prompt, OptionalDouble reward) {
    public String loggedModel() {
      return trace.plan().get(0).model();
    }
  }

  private final List<Request> requests;
  private final int notRouted;
  private final Map<String, Double> medianMillis;

  private RecordedTraffic(List<Request> requests, int notRouted, Map<String, Double> medianMillis) {
    this.requests = List.copyOf(requests);
    this.notRouted = notRouted;
    this.medianMillis = Map.copyOf(medianMillis);
  }

  public static RecordedTraffic load(TraceStore store) throws Exception {
    List<DecisionTrace> traces = new ArrayList<>();
    store.forEach(
        json -> {
          try {
            traces.add(TraceJson.parse(json));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    List<Request> requests = new ArrayList<>();
    int notRouted = 0;
    Map<String, List<Double>> durations = new HashMap<>();
    for (DecisionTrace t : traces) {
      if (t.flags().contains(Exchange.NOT_ROUTED) || t.plan().isEmpty()) {
        notRouted++;
        continue;
      }
      for (AttemptTrace a : t.attempts()) {
        if (a.result().equals("ok")) {
          durations.computeIfAbsent(a.deployment(), d -> new ArrayList<>()).add(a.durationMillis());
        }
      }
      List<Feedback> feedback = store.feedback(t.id());
      OptionalDouble reward =
          feedback.isEmpty()
              ? OptionalDouble.empty()
              : OptionalDouble.of(
                  feedback.stream().mapToDouble(Feedback::score).average().orElseThrow());
      requests.add(new Request(t, TraceJson.prompt(t), reward));
    }
    Map<String, Double> medians = new HashMap<>();
    durations.forEach(
        (deployment, list) -> {
          double[] sorted = list.stream().mapToDouble(Double::doubleValue).toArray();
          Arrays.sort(sorted);
          medians.put(deployment, sorted[sorted.length / 2]);
        });
    return new RecordedTraffic(requests, notRouted, medians);
  }

  public List<Request> requests() {
    return requests;
  }

  /** Requests that ended before routing decided. */
  public int notRouted() {
    return notRouted;
  }

  /** The median duration of the deployment's successful attempts in the recording. */
  public OptionalDouble medianMillis(String deployment) {
    Double median = medianMillis.get(deployment);
    return median == null ? OptionalDouble.empty() : OptionalDouble.of(median);
  }
}
