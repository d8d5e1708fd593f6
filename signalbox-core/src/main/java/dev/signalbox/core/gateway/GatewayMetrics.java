package dev.signalbox.core.gateway;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.core.pool.BreakerListener;
import dev.signalbox.core.trace.TraceRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics from the request events: requests and outcomes, latency, time to first token,
 * tokens, USD and fallbacks per route, model and deployment, and the trace queue's depth and drops.
 */
public final class GatewayMetrics implements RoutingListener, BreakerListener {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicInteger> breakerStates = new ConcurrentHashMap<>();
  // Meters looked up once per combination of tags, not built and registered for every request.
  private final Map<Served, ServedMeters> served = new ConcurrentHashMap<>();
  private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
  private final Map<PlanStep, Timer> firstTokens = new ConcurrentHashMap<>();

  /** Where a request was served: the tags its meters share. */
  private record Served(String route, String model, String deployment) {}

  /** A served combination's meters; outcomes are few, so they are kept by name. */
  private final class ServedMeters {
    private final Tags tags;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Timer streamed;
    private final Timer answered;
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final Counter costUsd;

    ServedMeters(Served where) {
      tags =
          Tags.of("route", where.route(), "model", where.model(), "deployment", where.deployment());
      streamed = duration("true");
      answered = duration("false");
      promptTokens =
          Counter.builder("signalbox_tokens").tags(tags).tag("type", "prompt").register(registry);
      completionTokens =
          Counter.builder("signalbox_tokens")
              .tags(tags)
              .tag("type", "completion")
              .register(registry);
      costUsd = Counter.builder("signalbox_cost_usd").tags(tags).register(registry);
    }

    private Timer duration(String stream) {
      return Timer.builder("signalbox_request_duration")
          .tags(tags)
          .tag("stream", stream)
          .publishPercentileHistogram()
          .register(registry);
    }

    Counter outcome(String outcome) {
      return outcomes.computeIfAbsent(
          outcome,
          o ->
              Counter.builder("signalbox_requests")
                  .tags(tags)
                  .tag("outcome", o)
                  .register(registry));
    }
  }

  public GatewayMetrics() {}

  /** Exports the trace writer's queue depth and drops. */
  public void watch(TraceRecorder traces) {
    Gauge.builder("signalbox_trace_queue_depth", traces, TraceRecorder::queueDepth)
        .description("Traces waiting to be written")
        .register(registry);
    FunctionCounter.builder("signalbox_trace_dropped", traces, TraceRecorder::droppedQueueFull)
        .tag("reason", "queue_full")
        .description("Traces dropped")
        .register(registry);
    FunctionCounter.builder("signalbox_trace_dropped", traces, TraceRecorder::droppedStoreError)
        .tag("reason", "store_error")
        .description("Traces dropped")
        .register(registry);
    FunctionCounter.builder("signalbox_trace_written", traces, TraceRecorder::written)
        .description("Traces written to the store")
        .register(registry);
  }

  /**
   * A request refused before routing (bad key or body, unknown path, overload, shutdown): it has no
   * trace.
   */
  public void rejected(SignalboxException error) {
    Counter.builder("signalbox_rejected")
        .tags(
            "status", Integer.toString(error.kind().httpStatus()), "code", error.code().orElse(""))
        .description("Requests refused before routing")
        .register(registry)
        .increment();
  }

  /** A scope's spend crossed its budget's soft threshold, counted by the kind of scope. */
  public void budgetAlert(BudgetAlert alert) {
    counter("signalbox_budget_alerts", "scope_kind", alert.scope().kind().key()).increment();
  }

  /** A connection the server closed on its own: a deadline, the connection limit, bad HTTP. */
  public void connectionClosed(String reason) {
    Counter.builder("signalbox_connections_closed")
        .tags("reason", reason)
        .description("Connections closed by the gateway, not by their client")
        .register(registry)
        .increment();
  }

  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void firstToken(PlanStep step, Duration timeToFirstToken) {
    firstTokens
        .computeIfAbsent(
            step,
            s ->
                Timer.builder("signalbox_time_to_first_token")
                    .tags("model", s.model(), "deployment", s.deployment())
                    .publishPercentileHistogram()
                    .register(registry))
        .record(timeToFirstToken);
  }

  @Override
  public void attemptFailed(AttemptTrace attempt) {
    attemptEnd(attempt);
  }

  @Override
  public void attemptEnd(AttemptTrace attempt) {
    counter(
            "signalbox_attempts",
            "model",
            attempt.model(),
            "deployment",
            attempt.deployment(),
            "result",
            attempt.result())
        .increment();
  }

  @Override
  public void requestFailed(DecisionTrace trace, Duration duration) {
    requestEnd(trace, duration);
  }

  /**
   * A breaker moved: the state gauge follows (0 closed, 1 half-open, 2 open) and the transition is
   * counted, by deployment and the states it left and entered.
   */
  @Override
  public void transitioned(BreakerListener.Transition transition) {
    breakerStates
        .computeIfAbsent(
            transition.deployment(),
            deployment -> {
              AtomicInteger level = new AtomicInteger();
              Gauge.builder("signalbox_breaker_state", level, AtomicInteger::get)
                  .tag("deployment", deployment)
                  .description("A deployment's circuit breaker: 0 closed, 1 half-open, 2 open")
                  .register(registry);
              return level;
            })
        .set(transition.to().level());
    Counter.builder("signalbox_breaker_transitions")
        .tags(
            "deployment",
            transition.deployment(),
            "from",
            transition.from().label(),
            "to",
            transition.to().label())
        .description("Circuit breaker state changes")
        .register(registry)
        .increment();
  }

  @Override
  public void requestEnd(DecisionTrace trace, Duration duration) {
    String route = trace.route();
    AttemptTrace last =
        trace.attempts().isEmpty() ? null : trace.attempts().get(trace.attempts().size() - 1);
    ServedMeters meters =
        served.computeIfAbsent(
            new Served(
                route, last == null ? "" : last.model(), last == null ? "" : last.deployment()),
            ServedMeters::new);
    meters.outcome(trace.outcome()).increment();
    (trace.stream() ? meters.streamed : meters.answered).record(duration);
    if (trace.usage().promptTokens() > 0) {
      meters.promptTokens.increment((double) trace.usage().promptTokens());
    }
    if (trace.usage().completionTokens() > 0) {
      meters.completionTokens.increment((double) trace.usage().completionTokens());
    }
    if (trace.costUsd() > 0) {
      meters.costUsd.increment(trace.costUsd());
    }
    for (int i = 0; i + 1 < trace.attempts().size(); i++) {
      AttemptTrace failed = trace.attempts().get(i);
      if (failed.result().equals("ok")) {
        // A cascade stage that answered but did not pass its checks: an escalation, not a fault.
        counter("signalbox_cascade_escalations", "route", route, "model", failed.model())
            .increment();
        continue;
      }
      counter(
              "signalbox_fallbacks",
              "route",
              route,
              "model",
              failed.model(),
              "deployment",
              failed.deployment(),
              "reason",
              failed.result())
          .increment();
    }
  }

  /** A counter by name and tags (alternating keys and values), registered on first use. */
  private Counter counter(String name, String... tags) {
    List<String> key = new ArrayList<>(tags.length + 1);
    key.add(name);
    key.addAll(Arrays.asList(tags));
    return counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry));
  }
}
