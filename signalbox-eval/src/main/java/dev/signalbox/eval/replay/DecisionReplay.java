package dev.signalbox.eval.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.dispatch.Exchange;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.routing.RecordedSignals;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Re-runs every recorded decision of a trace store under the config it was made with (its text
 * stored by hash), from the signals, seed and pool state its trace kept, and compares the canonical
 * decision line byte for byte with the recorded one. Routing is pure given those inputs, so any
 * difference means a policy changed behaviour or the record is incomplete.
 */
public final class DecisionReplay {
  /** A decision that came out differently, or could not be replayed. */
  public record Divergence(String id, String field, String recorded, String replayed) {}

  /**
   * How a replay of a store went.
   *
   * @param notRouted requests that ended before routing decided (nothing to replay)
   */
  public record Result(int traces, int identical, int notRouted, List<Divergence> divergences) {
    public boolean allIdentical() {
      return divergences.isEmpty();
    }
  }

  private final TraceStore store;
  private final PolicyRegistry registry;
  private final PolicyServices services;

  /**
   * @param services what the recorded routes' policies are built with (a learned route's artifact
   *     file, read from where the config names it)
   */
  public DecisionReplay(TraceStore store, PolicyRegistry registry, PolicyServices services) {
    this.store = store;
    this.registry = registry;
    this.services = services;
  }

  /** Replays every trace, oldest first; each replayed decision line goes to {@code replayedLog}. */
  public Result run(Consumer<String> replayedLog) throws Exception {
    RecordedConfigs configs = new RecordedConfigs(store, registry, services);
    List<Divergence> divergences = new ArrayList<>();
    int[] counts = new int[3];
    store.forEach(
        json -> {
          try {
            DecisionTrace recorded = TraceJson.parse(json);
            counts[0]++;
            if (recorded.flags().contains(Exchange.NOT_ROUTED)) {
              counts[2]++;
              return;
            }
            String expected = TraceJson.decisionLine(json);
            String replayed;
            try {
              replayed = replay(recorded, configs);
            } catch (ReplayException | RecordedSignals.Unrecorded e) {
              divergences.add(new Divergence(recorded.id(), "", expected, e.getMessage()));
              return;
            }
            replayedLog.accept(replayed);
            if (replayed.equals(expected)) {
              counts[1]++;
            } else {
              divergences.add(firstDifference(recorded.id(), expected, replayed));
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return new Result(counts[0], counts[1], counts[2], divergences);
  }

  private String replay(DecisionTrace t, RecordedConfigs configs) throws IOException {
    var signals =
        new RecordedSignals(
            t.requestedModel(),
            t.tenant(),
            t.signals(),
            List.of(),
            OptionalLong.empty(),
            RouteSpec.DEFAULT_MAX_TOKENS,
            services.signals());
    DecisionRecord d = configs.router(t.configHash()).decide(signals, t.seed(), t.pool()).record();
    DecisionTrace again =
        new DecisionTrace(
            t.id(),
            t.time(),
            t.tenant(),
            t.requestedModel(),
            d.routes(),
            d.policy(),
            d.policyVersion(),
            t.configHash(),
            d.seed(),
            d.signals(),
            d.candidates(),
            d.plan(),
            d.propensity(),
            d.pool(),
            t.attempts(),
            t.usage(),
            t.costUsd(),
            t.stream(),
            t.outcome(),
            t.error(),
            t.flags(),
            t.prompt(),
            t.answer());
    return TraceJson.decision(again);
  }

  private static Divergence firstDifference(String id, String expected, String replayed)
      throws IOException {
    JsonNode a = Json.MAPPER.readTree(expected);
    JsonNode b = Json.MAPPER.readTree(replayed);
    for (var names = a.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!a.get(field).equals(b.get(field))) {
        return new Divergence(
            id,
            field,
            Json.text(a.get(field)),
            b.has(field) ? Json.text(b.get(field)) : "(missing)");
      }
    }
    return new Divergence(id, "(bytes)", expected, replayed);
  }
}
