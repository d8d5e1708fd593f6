package dev.signalbox.core.gateway;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.SignalboxException;
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
    Timer.builder("signalbox_time_to_first_token")
        .tags("model", step.model(), "deployment", step.deployment())
        .publishPercentileHistogram()
        .register(registry)
        .record(timeToFirstToken);
  }

  @Override
  public void attemptFailed(AttemptTrace attempt) {
    attemptEnd(attempt);
  }

  @Override
  public void attemptEnd(AttemptTrace attempt) {
    Counter.builder("signalbox_attempts")
        .tags(
            "model",
            attempt.model(),
            "deployment",
            attempt.deployment(),
            "result",
            attempt.result())
        .register(registry)
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
    AttemptTrace served =
        trace.attempts().isEmpty() ? null : trace.attempts().get(trace.attempts().size() - 1);
    String model = served == null ? "" : served.model();
    String deployment = served == null ? "" : served.deployment();
    Tags tags = Tags.of("route", route, "model", model, "deployment", deployment);
    Counter.builder("signalbox_requests")
        .tags(tags)
        .tag("outcome", trace.outcome())
        .register(registry)
        .increment();
    Timer.builder("signalbox_request_duration")
        .tags(tags)
        .tag("stream", Boolean.toString(trace.stream()))
        .publishPercentileHistogram()
        .register(registry)
        .record(duration);
    if (trace.usage().promptTokens() > 0) {
      Counter.builder("signalbox_tokens")
          .tags(tags)
          .tag("type", "prompt")
          .register(registry)
          .increment((double) trace.usage().promptTokens());
    }
    if (trace.usage().completionTokens() > 0) {
      Counter.builder("signalbox_tokens")
          .tags(tags)
          .tag("type", "completion")
          .register(registry)
          .increment((double) trace.usage().completionTokens());
    }
    if (trace.costUsd() > 0) {
      Counter.builder("signalbox_cost_usd")
          .tags(tags)
          .register(registry)
          .increment(trace.costUsd());
    }
    for (int i = 0; i + 1 < trace.attempts().size(); i++) {
      AttemptTrace failed = trace.attempts().get(i);
      if (failed.result().equals("ok")) {
        // A cascade stage that answered but did not pass its checks: an escalation, not a fault.
        Counter.builder("signalbox_cascade_escalations")
            .tags("route", route, "model", failed.model())
            .register(registry)
            .increment();
        continue;
      }
      Counter.builder("signalbox_fallbacks")
          .tags(
              "route",
              route,
              "model",
              failed.model(),
              "deployment",
              failed.deployment(),
              "reason",
              failed.result())
          .register(registry)
          .increment();
    }
  }
}
