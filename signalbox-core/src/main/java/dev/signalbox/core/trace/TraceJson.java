package dev.signalbox.core.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.CascadeStepTrace;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Usage;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The canonical JSON of traces: fields in a fixed order, maps sorted by key, NaN as null. Two runs
 * that decide the same write the same bytes, which is what replay compares.
 */
public final class TraceJson {
  /** The fields of the decision log, the part replay compares byte for byte. */
  public static final Set<String> DECISION_FIELDS =
      Set.of(
          "id",
          "requested_model",
          "routes",
          "policy",
          "policy_version",
          "config_hash",
          "seed",
          "signals",
          "candidates",
          "plan",
          "propensity",
          "pool");

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
    if (!t.cascade().isEmpty()) {
      ArrayNode cascade = node.putArray("cascade");
      for (CascadeStepTrace c : t.cascade()) {
        ObjectNode step = cascade.addObject();
        step.put("stage", c.stage());
        step.put("model", c.model());
        step.put("samples", c.samples());
        step.put("answered", c.answered());
        step.put("verdict", c.verdict());
        ArrayNode checks = step.putArray("checks");
        c.checks().forEach(checks::add);
        step.set("usage", usage(c.usage()));
        step.put("cost_usd", c.costUsd());
      }
    }
    if (!t.prompt().isEmpty()) {
      node.put("prompt", t.prompt());
    }
    if (!t.answer().isEmpty()) {
      node.put("answer", t.answer());
    }
    return node;
  }

  /**
   * Only what the decision depended on and what it chose: the line replay compares byte for byte.
   */
  public static ObjectNode decision(DecisionTrace t) {
    ObjectNode node = Json.object();
    node.put("id", t.id());
    decisionFields(node, t);
    return node;
  }

  public static String line(JsonNode node) {
    return Json.text(node);
  }

  /** The decision line of a stored trace: its decision fields, in stored order. */
  public static String decisionLine(String fullJson) throws IOException {
    JsonNode full = Json.MAPPER.readTree(fullJson);
    ObjectNode decision = Json.object();
    full.fieldNames()
        .forEachRemaining(
            name -> {
              if (DECISION_FIELDS.contains(name)) {
                decision.set(name, full.get(name));
              }
            });
    return Json.text(decision);
  }

  /** Reads a stored trace back; the inverse of {@link #full}. */
  public static DecisionTrace parse(String json) throws IOException {
    JsonNode t = Json.MAPPER.readTree(json);
    Map<String, Object> signals = new LinkedHashMap<>();
    t.path("signals").fields().forEachRemaining(e -> signals.put(e.getKey(), scalar(e.getValue())));
    List<CandidateTrace> candidates = new ArrayList<>();
    for (JsonNode c : t.path("candidates")) {
      candidates.add(
          new CandidateTrace(
              c.path("model").asText(),
              c.path("excluded").asText(),
              number(c.path("score")),
              c.path("reason").asText()));
    }
    List<PlanStep> plan = new ArrayList<>();
    for (JsonNode p : t.path("plan")) {
      plan.add(new PlanStep(p.path("model").asText(), p.path("deployment").asText()));
    }
    Map<String, DeploymentState> pool = new LinkedHashMap<>();
    t.path("pool")
        .fields()
        .forEachRemaining(e -> pool.put(e.getKey(), deploymentState(e.getValue())));
    List<AttemptTrace> attempts = new ArrayList<>();
    for (JsonNode a : t.path("attempts")) {
      double ttft = number(a.path("ttft_ms"));
      attempts.add(
          new AttemptTrace(
              a.path("index").asInt(),
              a.path("model").asText(),
              a.path("deployment").asText(),
              a.path("result").asText(),
              Double.isNaN(ttft) ? -1 : ttft,
              a.path("duration_ms").asDouble(),
              a.path("committed").asBoolean(),
              a.path("error").asText()));
    }
    Usage usage = readUsage(t.path("usage"));
    List<CascadeStepTrace> cascade = new ArrayList<>();
    for (JsonNode c : t.path("cascade")) {
      List<String> checks = new ArrayList<>();
      c.path("checks").forEach(check -> checks.add(check.asText()));
      cascade.add(
          new CascadeStepTrace(
              c.path("stage").asInt(),
              c.path("model").asText(),
              c.path("samples").asInt(),
              c.path("answered").asInt(),
              c.path("verdict").asText(),
              checks,
              readUsage(c.path("usage")),
              c.path("cost_usd").asDouble()));
    }
    List<String> routes = new ArrayList<>();
    t.path("routes").forEach(r -> routes.add(r.asText()));
    List<String> flags = new ArrayList<>();
    t.path("flags").forEach(f -> flags.add(f.asText()));
    return new DecisionTrace(
        t.path("id").asText(),
        Instant.parse(t.path("time").asText()),
        t.path("tenant").asText(),
        t.path("requested_model").asText(),
        routes,
        t.path("policy").asText(),
        t.path("policy_version").asInt(),
        t.path("config_hash").asText(),
        t.path("seed").asLong(),
        signals,
        candidates,
        plan,
        t.path("propensity").asDouble(),
        new PoolSnapshot(pool),
        attempts,
        usage,
        t.path("cost_usd").asDouble(),
        t.path("stream").asBoolean(),
        t.path("outcome").asText(),
        t.path("error").asText(),
        flags,
        t.path("prompt").asText(""),
        t.path("answer").asText(""),
        cascade);
  }

  private static Usage readUsage(JsonNode u) {
    return new Usage(
        u.path("prompt_tokens").asLong(),
        u.path("cached_prompt_tokens").asLong(),
        u.path("completion_tokens").asLong(),
        u.path("estimated").asBoolean());
  }

  /** The recorded conversation of a trace, or empty when the config did not record prompts. */
  public static List<ChatMessage> prompt(DecisionTrace t) {
    return t.prompt().isEmpty() ? List.of() : messages(t.prompt());
  }

  /** Messages from their JSON array, read as the gateway reads a request's. */
  public static List<ChatMessage> messages(String messagesJson) {
    String body = "{\"model\":\"recorded\",\"messages\":" + messagesJson + "}";
    return ChatRequestParser.parse(body.getBytes(StandardCharsets.UTF_8)).messages();
  }

  /** A recorded deployment state; fields older traces lack read as idle. */
  private static DeploymentState deploymentState(JsonNode d) {
    return new DeploymentState(
        d.path("in_flight").asLong(),
        d.path("queued_prompt_tokens").asLong(),
        d.path("queued_output_tokens").asLong(),
        d.path("consecutive_failures").asLong(),
        d.path("error_rate").asDouble(0),
        d.path("rate_limited").asLong(),
        number(d.path("ttft_ms")),
        number(d.path("p95_ttft_ms")),
        number(d.path("ms_per_token")),
        d.path("breaker").asText(DeploymentState.CLOSED),
        d.path("assigned").asLong());
  }

  private static Object scalar(JsonNode value) {
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isIntegralNumber()) {
      return value.longValue();
    }
    if (value.isNumber()) {
      return value.doubleValue();
    }
    return value.isTextual() ? value.textValue() : value.toString();
  }

  private static double number(JsonNode value) {
    return value.isNumber() ? value.doubleValue() : Double.NaN;
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
    node.set("pool", pool(t.pool()));
  }

  /**
   * A pool snapshot, deployments by name: what the trace records and {@code GET /admin/pool} shows.
   */
  public static ObjectNode pool(PoolSnapshot snapshot) {
    ObjectNode pool = Json.object();
    for (Map.Entry<String, DeploymentState> e : new TreeMap<>(snapshot.deployments()).entrySet()) {
      DeploymentState d = e.getValue();
      ObjectNode state =
          pool.putObject(e.getKey())
              .put("in_flight", d.inFlight())
              .put("queued_prompt_tokens", d.queuedPromptTokens())
              .put("queued_output_tokens", d.queuedOutputTokens())
              .put("consecutive_failures", d.consecutiveFailures());
      number(state, "error_rate", round(d.errorRate()));
      state.put("rate_limited", d.rateLimited());
      number(state, "ttft_ms", round(d.ttftMillis()));
      number(state, "p95_ttft_ms", round(d.p95TtftMillis()));
      number(state, "ms_per_token", round(d.millisPerToken()));
      state.put("breaker", d.breaker());
      state.put("assigned", d.assigned());
    }
    return pool;
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
    return Double.isFinite(millis) ? Math.round(millis * 1000) / 1000.0 : millis;
  }
}
