package dev.signalbox.core.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.text.Redactor;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.Truncated;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/** One JSON line per routed request. Prompts, answers and keys never appear in it. */
public final class AccessLog implements RoutingListener {
  private final PrintStream out;
  private final TimeSource time;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * @param time dates the lines of requests refused before they had a trace
   */
  public AccessLog(PrintStream out, TimeSource time) {
    this.out = out;
    this.time = time;
  }

  @Override
  public void requestFailed(DecisionTrace trace, Duration duration) {
    requestEnd(trace, duration);
  }

  @Override
  public void requestEnd(DecisionTrace trace, Duration duration) {
    ObjectNode line = Json.object();
    line.put("time", trace.time().toString());
    line.put("request_id", trace.id());
    line.put("tenant", trace.tenant());
    line.put("model_requested", Truncated.of(trace.requestedModel()));
    line.put("route", trace.route());
    AttemptTrace last =
        trace.attempts().isEmpty() ? null : trace.attempts().get(trace.attempts().size() - 1);
    line.put("model", last == null ? "" : last.model());
    line.put("deployment", last == null ? "" : last.deployment());
    line.put("attempts", trace.attempts().size());
    line.put("stream", trace.stream());
    line.put("outcome", trace.outcome());
    line.put("duration_ms", Math.round(duration.toNanos() / 1e4) / 100.0);
    if (last != null && last.ttftMillis() >= 0) {
      line.put("ttft_ms", Math.round(last.ttftMillis() * 100) / 100.0);
    }
    line.put("prompt_tokens", trace.usage().promptTokens());
    line.put("completion_tokens", trace.usage().completionTokens());
    line.putRawValue("cost_usd", new RawValue(plainUsd(trace.costUsd())));
    if (!trace.error().isEmpty()) {
      line.put("error", Truncated.of(Redactor.SHAPES.redact(trace.error())));
    }
    print(line);
  }

  /** A cost as a plain decimal to 10 places, never {@code 5.1599999999999994E-5}. */
  static String plainUsd(double usd) {
    return BigDecimal.valueOf(usd)
        .setScale(10, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  /** A request refused before routing: bad key, bad body, unknown route. */
  public void rejected(dev.signalbox.api.SignalboxException error) {
    ObjectNode line = Json.object();
    line.put("time", time.now().toString());
    line.put("status", error.kind().httpStatus());
    line.put("outcome", "rejected");
    line.put("code", error.code().orElse(""));
    line.put("error", Truncated.of(Redactor.SHAPES.redact(error.getMessage())));
    print(line);
  }

  private void print(ObjectNode line) {
    String text = Json.text(line);
    lock.lock();
    try {
      out.println(text);
    } finally {
      lock.unlock();
    }
  }
}
