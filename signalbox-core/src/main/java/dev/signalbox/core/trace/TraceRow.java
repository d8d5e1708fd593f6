package dev.signalbox.core.trace;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A trace's searchable summary, kept in its own narrow indexed table beside the full JSON so that
 * searches and aggregates read a few columns, never the traces.
 *
 * @param model the model that served the request (its last attempt's when none did), or ""
 * @param latencyMs the time its attempts took, a hedge that lost not counted
 * @param chain the deployments tried, in order ({@code east > west})
 * @param refusedScope the limit scope that refused the request ({@code key:ops}), or ""
 * @param key the name of the key that sent it, or ""
 * @param team that key's team, or ""
 */
record TraceRow(
    String id,
    long timeMillis,
    String route,
    String requestedModel,
    String model,
    String deployment,
    String outcome,
    String tenant,
    double costUsd,
    double latencyMs,
    long inputTokens,
    long outputTokens,
    boolean stream,
    int attempts,
    String chain,
    String refusedScope,
    String key,
    String team) {

  static final String HEDGE_LOST = "hedge_lost";
  private static final String REFUSED = "limits:refused ";

  static TraceRow of(DecisionTrace trace) {
    List<AttemptTrace> attempts = trace.attempts();
    AttemptTrace served =
        attempts.stream()
            .filter(a -> a.result().equals("ok"))
            .reduce((first, second) -> second)
            .orElse(attempts.isEmpty() ? null : attempts.get(attempts.size() - 1));
    return new TraceRow(
        trace.id(),
        trace.time().toEpochMilli(),
        trace.route(),
        trace.requestedModel(),
        served == null ? "" : served.model(),
        served == null ? "" : served.deployment(),
        trace.outcome(),
        trace.tenant(),
        trace.costUsd(),
        attempts.stream()
            .filter(a -> !a.result().equals(HEDGE_LOST))
            .mapToDouble(AttemptTrace::durationMillis)
            .sum(),
        trace.usage().promptTokens(),
        trace.usage().completionTokens(),
        trace.stream(),
        attempts.size(),
        attempts.stream().map(AttemptTrace::deployment).collect(Collectors.joining(" > ")),
        trace.flags().stream()
            .filter(flag -> flag.startsWith(REFUSED))
            .map(flag -> flag.substring(REFUSED.length()).split(" ", 2)[0])
            .findFirst()
            .orElse(""),
        trace.key(),
        trace.team());
  }
}
