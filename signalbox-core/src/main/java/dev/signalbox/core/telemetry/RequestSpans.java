package dev.signalbox.core.telemetry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.CascadeStepTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.core.wire.Json;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One request's spans: a server span for the request, continuing the client's trace, a span per
 * cascade stage under it, and a client span per attempt under the request or its stage (hedges and
 * cascade samples included), whose context goes to that attempt's upstream. Attempts of one
 * deployment end in the order they started.
 */
final class RequestSpans implements RoutingListener {
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final GenAiMetrics metrics;
  private final Deployments deployments;
  private final boolean captureContent;
  private final Span request;
  private final Context context;
  private @Nullable Span stage;
  private Context attempts;
  private final Map<PlanStep, Deque<Span>> open = new HashMap<>();
  private final ThreadLocal<Span> startedHere = new ThreadLocal<>();
  private final String requestedModel;
  private volatile String servedBy = "";
  private volatile String finishReason = "";
  private volatile String answer = "";
  private volatile double firstTokenSeconds = -1;

  /** How a deployment is named in spans: its provider and its server's address. */
  interface Deployments {
    Attributes of(String deployment);
  }

  RequestSpans(
      Tracer tracer,
      TextMapPropagator propagator,
      GenAiMetrics metrics,
      Deployments deployments,
      boolean captureContent,
      String requestId,
      ChatRequest chat,
      Map<String, String> headers) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.metrics = metrics;
    this.deployments = deployments;
    this.captureContent = captureContent;
    this.requestedModel = chat.model();
    Context parent = propagator.extract(Context.root(), headers, HeaderGetter.INSTANCE);
    AttributesBuilder attributes =
        Attributes.builder()
            .put(GenAi.OPERATION, "chat")
            .put(GenAi.REQUEST_MODEL, chat.model())
            .put(GenAi.STREAM, chat.stream())
            .put(GenAi.REQUEST_ID, requestId);
    chat.maxTokens().ifPresent(max -> attributes.put(GenAi.MAX_TOKENS, (long) max));
    chat.temperature().ifPresent(t -> attributes.put(GenAi.TEMPERATURE, t));
    conversation(chat, headers).ifPresent(id -> attributes.put(GenAi.CONVERSATION_ID, id));
    if (captureContent) {
      attributes.put(GenAi.INPUT_MESSAGES, chat.raw().path("messages").toString());
    }
    this.request =
        tracer
            .spanBuilder("chat " + chat.model())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAllAttributes(attributes.build())
            .startSpan();
    this.context = parent.with(request);
    this.attempts = context;
  }

  private static Optional<String> conversation(ChatRequest chat, Map<String, String> headers) {
    String id =
        headers.getOrDefault(
            "x-signalbox-session-id", chat.metadata().getOrDefault("session_id", ""));
    return id.isEmpty() ? Optional.empty() : Optional.of(id);
  }

  @Override
  public void decided(DecisionRecord decision) {
    List<String> routes = decision.routes();
    if (!routes.isEmpty()) {
      request.setAttribute(GenAi.ROUTE, routes.get(routes.size() - 1));
    }
    request.setAttribute(GenAi.POLICY, decision.policy());
    request.setAttribute(GenAi.PROPENSITY, decision.propensity());
    if (!decision.plan().isEmpty()) {
      String chosen = decision.plan().get(0).model();
      decision.candidates().stream()
          .filter(c -> c.model().equals(chosen))
          .map(CandidateTrace::reason)
          .filter(reason -> !reason.isEmpty())
          .findFirst()
          .ifPresent(reason -> request.setAttribute(GenAi.DECISION_REASON, reason));
    }
  }

  @Override
  public void cascadeStageStart(int number, String model) {
    Span started =
        tracer
            .spanBuilder("cascade stage " + number)
            .setParent(context)
            .setAttribute(GenAi.CASCADE_STAGE, (long) number)
            .setAttribute(GenAi.REQUEST_MODEL, model)
            .startSpan();
    synchronized (open) {
      if (stage != null) {
        stage.end();
      }
      stage = started;
      attempts = context.with(started);
    }
  }

  @Override
  public void cascadeStageEnd(CascadeStepTrace step) {
    Span ended;
    synchronized (open) {
      ended = stage;
      stage = null;
      attempts = context;
    }
    if (ended == null) {
      return; // an earlier stage's answer served after all: its span has ended
    }
    ended.setAttribute(GenAi.CASCADE_VERDICT, step.verdict());
    ended.setAttribute(GenAi.CASCADE_SAMPLES, (long) step.samples());
    ended.setAttribute(GenAi.COST_USD, step.costUsd());
    ended.setAttribute(GenAi.INPUT_TOKENS, step.usage().promptTokens());
    ended.setAttribute(GenAi.OUTPUT_TOKENS, step.usage().completionTokens());
    if (step.verdict().equals("failed")) {
      ended.setStatus(StatusCode.ERROR, String.join("; ", step.checks()));
    }
    ended.end();
  }

  @Override
  public void attemptStart(PlanStep step, int attempt) {
    Span span = attemptSpan(step);
    synchronized (open) {
      open.computeIfAbsent(step, s -> new ArrayDeque<>()).add(span);
    }
    startedHere.set(span);
  }

  @Override
  public Map<String, String> attemptContext() {
    Span span = startedHere.get();
    if (span == null) {
      return Map.of();
    }
    startedHere.remove();
    Map<String, String> headers = new LinkedHashMap<>(2);
    propagator.inject(context.with(span), headers, (carrier, k, v) -> carrier.put(k, v));
    return headers;
  }

  @Override
  public void firstToken(PlanStep step, Duration timeToFirstToken) {
    Span span;
    synchronized (open) {
      Deque<Span> spans = open.get(step);
      span = spans == null ? null : spans.peek();
    }
    if (span != null) {
      span.addEvent("gen_ai.first_token");
    }
    firstTokenSeconds = timeToFirstToken.toNanos() / 1e9;
  }

  @Override
  public void attemptEnd(AttemptTrace attempt) {
    end(attempt);
  }

  @Override
  public void attemptFailed(AttemptTrace attempt) {
    end(attempt);
  }

  private void end(AttemptTrace attempt) {
    PlanStep step = new PlanStep(attempt.model(), attempt.deployment());
    Span span;
    synchronized (open) {
      Deque<Span> spans = open.get(step);
      span = spans == null ? null : spans.poll();
    }
    if (span == null) {
      // Planned but never sent (its circuit was open): a span of no duration says so.
      span = attemptSpan(step);
    }
    span.setAttribute(GenAi.ATTEMPT, (long) attempt.index());
    span.setAttribute(GenAi.ATTEMPT_RESULT, attempt.result());
    if (attempt.result().equals("ok")) {
      servedBy = attempt.model();
      span.setAttribute(GenAi.RESPONSE_MODEL, attempt.model());
    } else {
      span.setAttribute(GenAi.ERROR_TYPE, attempt.result());
      span.setStatus(StatusCode.ERROR, attempt.error());
    }
    if (attempt.result().equals("hedge_lost")) {
      span.setAttribute(GenAi.HEDGE, true);
    }
    span.end();
  }

  private Span attemptSpan(PlanStep step) {
    Context parent;
    synchronized (open) {
      parent = attempts;
    }
    return tracer
        .spanBuilder("chat " + step.model())
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setAllAttributes(deployments.of(step.deployment()))
        .setAttribute(GenAi.OPERATION, "chat")
        .setAttribute(GenAi.REQUEST_MODEL, step.model())
        .setAttribute(GenAi.DEPLOYMENT, step.deployment())
        .startSpan();
  }

  @Override
  public void answered(String finishReason, String answer) {
    this.finishReason = finishReason;
    this.answer = answer;
  }

  @Override
  public void requestEnd(DecisionTrace trace, Duration duration) {
    end(trace, duration, "");
  }

  @Override
  public void requestFailed(DecisionTrace trace, Duration duration) {
    end(trace, duration, trace.outcome());
  }

  private void end(DecisionTrace trace, Duration duration, String errorType) {
    synchronized (open) {
      open.values().forEach(spans -> spans.forEach(Span::end));
      open.clear();
      if (stage != null) {
        stage.end();
        stage = null;
      }
    }
    request.setAttribute(GenAi.TENANT, trace.tenant());
    request.setAttribute(GenAi.OUTCOME, trace.outcome());
    request.setAttribute(GenAi.COST_USD, trace.costUsd());
    request.setAttribute(GenAi.INPUT_TOKENS, trace.usage().promptTokens());
    request.setAttribute(GenAi.OUTPUT_TOKENS, trace.usage().completionTokens());
    request.setAttribute(GenAi.CACHE_READ_TOKENS, trace.usage().cachedPromptTokens());
    if (!trace.flags().isEmpty()) {
      request.setAttribute(GenAi.FLAGS, trace.flags());
    }
    if (!servedBy.isEmpty()) {
      request.setAttribute(GenAi.RESPONSE_MODEL, servedBy);
    }
    if (!finishReason.isEmpty()) {
      request.setAttribute(GenAi.FINISH_REASONS, List.of(finishReason));
    }
    if (captureContent && errorType.isEmpty()) {
      request.setAttribute(GenAi.OUTPUT_MESSAGES, outputMessages(answer, finishReason));
    }
    if (!errorType.isEmpty()) {
      request.setAttribute(GenAi.ERROR_TYPE, errorType);
      request.setStatus(StatusCode.ERROR, trace.error());
    }
    request.end();
    metrics.record(
        requestedModel, servedBy, errorType, duration.toNanos() / 1e9, firstTokenSeconds, trace);
  }

  private static String outputMessages(String answer, String finishReason) {
    ObjectNode message = Json.object();
    message.put("role", "assistant");
    message.putArray("parts").addObject().put("type", "text").put("content", answer);
    message.put("finish_reason", finishReason);
    return Json.MAPPER.createArrayNode().add(message).toString();
  }
}
