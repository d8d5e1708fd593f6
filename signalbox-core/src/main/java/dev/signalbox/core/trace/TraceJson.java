package dev.signalbox.core.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.Usage;
import dev.signalbox.core.upstream.Json;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON of traces: fields in a fixed order, maps sorted by key, NaN as null. Two runs
 * that decide the same write the same bytes, which is what replay compares.
 */
public final class TraceJson {
  private TraceJson() {}

  /** The whole trace. */
  public static ObjectNode full(DecisionTrace t) {
    ObjectNode node = Json.object();
    node.put("schema_version", DecisionTrace.SCHEMA_VERSION);
    node.put("id", t.id());
    node.put("time", t.time().toString());
    node.put("tenant", t.tenant());
    decisionFields(node, t);
    ArrayNode attempts = node.putArray("attempts");
    for (AttemptTrace a : t.attempts()) {
      ObjectNode attempt = attempts.addObject();
      attempt.put("index", a.index());
      attempt.put("model", a.model());
      attempt.put("deployment", a.deployment());
      attempt.put("result", a.result());
      number(attempt, "ttft_ms", a.ttftMillis() < 0 ? Double.NaN : round(a.ttftMillis()));
      attempt.put("duration_ms", round(a.durationMillis()));
      attempt.put("committed", a.committed());
      attempt.put("error", a.error());
    }
    node.set("usage", usage(t.usage()));
    node.put("cost_usd", t.costUsd());
    node.put("stream", t.stream());
    node.put("outcome", t.outcome());
    node.put("error", t.error());
    ArrayNode flags = node.putArray("flags");
    t.flags().forEach(flags::add);
    if (!t.prompt().isEmpty()) {
      node.put("prompt", t.prompt());
    }
    if (!t.answer().isEmpty()) {
      node.put("answer", t.answer());
    }
    return node;
  }

  /** Only what the decision depended on and what it chose: the line replay compares byte for byte. */
  public static ObjectNode decision(DecisionTrace t) {
    ObjectNode node = Json.object();
    node.put("id", t.id());
    decisionFields(node, t);
    return node;
  }

  public static String line(JsonNode node) {
    return Json.text(node);
  }

  private static void decisionFields(ObjectNode node, DecisionTrace t) {
    node.put("requested_model", t.requestedModel());
    ArrayNode routes = node.putArray("routes");
    t.routes().forEach(routes::add);
    node.put("policy", t.policy());
    node.put("policy_version", t.policyVersion());
    node.put("config_hash", t.configHash());
    node.put("seed", t.seed());
    ObjectNode signals = node.putObject("signals");
    new TreeMap<>(t.signals()).forEach((k, v) -> signals.set(k, Json.MAPPER.valueToTree(v)));
    ArrayNode candidates = node.putArray("candidates");
    for (CandidateTrace c : t.candidates()) {
      ObjectNode candidate = candidates.addObject();
      candidate.put("model", c.model());
      candidate.put("excluded", c.excluded());
      number(candidate, "score", c.score());
      candidate.put("reason", c.reason());
    }
    ArrayNode plan = node.putArray("plan");
    for (PlanStep step : t.plan()) {
      plan.addObject().put("model", step.model()).put("deployment", step.deployment());
    }
    node.put("propensity", t.propensity());
    ObjectNode pool = node.putObject("pool");
    for (Map.Entry<String, DeploymentState> e : new TreeMap<>(t.pool().deployments()).entrySet()) {
      pool.putObject(e.getKey())
          .put("in_flight", e.getValue().inFlight())
          .put("consecutive_failures", e.getValue().consecutiveFailures());
    }
  }

  private static ObjectNode usage(Usage u) {
    ObjectNode node = Json.object();
    node.put("prompt_tokens", u.promptTokens());
    node.put("cached_prompt_tokens", u.cachedPromptTokens());
    node.put("completion_tokens", u.completionTokens());
    node.put("estimated", u.estimated());
    return node;
  }

  private static void number(ObjectNode node, String key, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }

  private static double round(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }
}
