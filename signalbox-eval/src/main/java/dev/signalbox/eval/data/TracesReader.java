package dev.signalbox.eval.data;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.core.trace.TraceStores;
import dev.signalbox.core.upstream.ReplaySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Signalbox's own trace store as evaluation data: every answered request with a recorded prompt and
 * feedback is one observation of its model on its conversation, quality the mean feedback score,
 * cost and latency as recorded. Observations of the same conversation are pooled (means per model);
 * only conversations that every observed model answered are kept, since a policy may pick any of
 * them. Traffic recorded under a {@code weighted} split with repeated prompts gives such data.
 */
public final class TracesReader implements DatasetReader {
  /** The observations of one model on one conversation. */
  private static final class Observed {
    final List<Double> quality = new ArrayList<>();
    final List<Double> cost = new ArrayList<>();
    final List<Double> latency = new ArrayList<>();
    final List<Long> outputTokens = new ArrayList<>();
    String answer = "";

    Outcome outcome() {
      return new Outcome(
          mean(quality),
          OptionalDouble.of(mean(cost)),
          OptionalLong.empty(),
          OptionalLong.of(
              Math.round(outputTokens.stream().mapToLong(Long::longValue).average().orElse(0))),
          OptionalDouble.of(mean(latency)),
          answer,
          List.of(),
          List.of());
    }

    private static double mean(List<Double> values) {
      return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
  }

  /** One conversation with its observations by model, in the order first seen. */
  private record Conversation(
      String id, List<ChatMessage> messages, Map<String, Observed> byModel) {}

  @Override
  public Dataset read(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new DataException(path.toString(), "file not found");
    }
    return read(path.toString(), Optional.empty());
  }

  /**
   * The traces of the store at {@code location}: a file, or the {@code jdbc:postgresql://} URL of
   * the database replicas share.
   */
  public Dataset read(String location, Optional<String> password) {
    String file = TraceStores.describe(location);
    Map<String, Conversation> conversations = new LinkedHashMap<>();
    Set<String> models = new LinkedHashSet<>();
    int[] counts = new int[3]; // traces, answered, usable
    try (TraceStore store = TraceStores.open(location, password)) {
      List<DecisionTrace> traces = new ArrayList<>();
      store.forEach(
          json -> {
            try {
              traces.add(TraceJson.parse(json));
            } catch (Exception e) {
              throw new DataException(file, "a stored trace is not readable: " + e.getMessage());
            }
          });
      for (DecisionTrace t : traces) {
        counts[0]++;
        AttemptTrace served =
            t.attempts().stream().filter(a -> a.result().equals("ok")).findFirst().orElse(null);
        if (served == null || !t.outcome().equals("ok")) {
          continue;
        }
        counts[1]++;
        List<Feedback> feedback = store.feedback(t.id());
        if (t.prompt().isEmpty() || feedback.isEmpty()) {
          continue;
        }
        counts[2]++;
        List<ChatMessage> messages = TraceJson.prompt(t);
        Conversation conversation =
            conversations.computeIfAbsent(
                ReplaySource.conversationKey(messages),
                k -> new Conversation(t.id(), messages, new LinkedHashMap<>()));
        Observed observed =
            conversation.byModel().computeIfAbsent(served.model(), m -> new Observed());
        models.add(served.model());
        observed.quality.add(
            feedback.stream().mapToDouble(Feedback::score).average().orElseThrow());
        observed.cost.add(t.costUsd());
        observed.latency.add(t.attempts().stream().mapToDouble(AttemptTrace::durationMillis).sum());
        observed.outputTokens.add(t.usage().completionTokens());
        if (observed.answer.isEmpty()) {
          observed.answer = t.answer();
        }
      }
    } catch (DataException e) {
      throw e;
    } catch (Exception e) {
      throw new DataException(file, "cannot read the trace store: " + e.getMessage());
    }
    List<EvalPrompt> prompts = new ArrayList<>();
    for (Conversation c : conversations.values()) {
      if (c.byModel().keySet().equals(models)) {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        models.forEach(m -> outcomes.put(m, c.byModel().get(m).outcome()));
        prompts.add(new EvalPrompt(c.id(), c.messages(), "", "", outcomes, Map.of()));
      }
    }
    String summary =
        counts[0]
            + " traces, "
            + counts[1]
            + " answered, "
            + counts[2]
            + " with a recorded prompt and feedback; "
            + conversations.size()
            + " conversations, "
            + prompts.size()
            + " answered by every model "
            + models;
    if (prompts.isEmpty()) {
      throw new DataException(
          file,
          "no usable conversations ("
              + summary
              + "). Evaluation needs traces.record-prompts, feedback, and each conversation"
              + " answered by every model, as a weighted split over repeated prompts gives");
    }
    return new Dataset(
        file.substring(file.lastIndexOf('/') + 1),
        file,
        List.copyOf(models),
        prompts,
        QualityScale.UNIT,
        PriceList.NONE,
        List.of(summary));
  }
}
