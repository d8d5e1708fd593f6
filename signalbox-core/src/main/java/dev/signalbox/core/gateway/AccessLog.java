package dev.signalbox.core.gateway;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.text.Redactor;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.Truncated;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One JSON line per routed request. Prompts, answers and keys never appear in it.
 *
 * <p>Lines are encoded and written off the request path: a request only queues what its line is
 * made from, and one writer thread writes whatever has gathered in one go. When the queue is full
 * the request writes its own line, so no line is lost; it only pays for it.
 */
public final class AccessLog implements RoutingListener, AutoCloseable {
  private static final int QUEUE = 8192;
  private static final int BATCH = 512;
  // Each write is a system call: a batch gathers this long after its first line before it is
  // written (the same group commit as the trace writer's).
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private static final SerializedString LINE_END = new SerializedString(System.lineSeparator());

  private final PrintStream out;
  private final TimeSource time;
  private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread writer;

  /**
   * @param time dates the lines of requests refused before they had a trace
   */
  public AccessLog(PrintStream out, TimeSource time) {
    this.out = out;
    this.time = time;
    this.writer = Thread.ofPlatform().name("signalbox-access-log").daemon().start(this::drain);
  }

  @Override
  public void requestFailed(DecisionTrace trace, Duration duration) {
    requestEnd(trace, duration);
  }

  @Override
  public void requestEnd(DecisionTrace trace, Duration duration) {
    enqueue(generator -> line(generator, trace, duration));
  }

  private static void line(JsonGenerator line, DecisionTrace trace, Duration duration)
      throws IOException {
    line.writeStartObject();
    line.writeStringField("time", trace.time().toString());
    line.writeStringField("request_id", trace.id());
    line.writeStringField("tenant", trace.tenant());
    line.writeStringField("model_requested", Truncated.of(trace.requestedModel()));
    line.writeStringField("route", trace.route());
    AttemptTrace last =
        trace.attempts().isEmpty() ? null : trace.attempts().get(trace.attempts().size() - 1);
    line.writeStringField("model", last == null ? "" : last.model());
    line.writeStringField("deployment", last == null ? "" : last.deployment());
    line.writeNumberField("attempts", trace.attempts().size());
    line.writeBooleanField("stream", trace.stream());
    line.writeStringField("outcome", trace.outcome());
    line.writeNumberField("duration_ms", Math.round(duration.toNanos() / 1e4) / 100.0);
    if (last != null && last.ttftMillis() >= 0) {
      line.writeNumberField("ttft_ms", Math.round(last.ttftMillis() * 100) / 100.0);
    }
    line.writeNumberField("prompt_tokens", trace.usage().promptTokens());
    line.writeNumberField("completion_tokens", trace.usage().completionTokens());
    line.writeFieldName("cost_usd");
    line.writeRawValue(plainUsd(trace.costUsd()));
    if (!trace.error().isEmpty()) {
      line.writeStringField("error", Truncated.of(Redactor.SHAPES.redact(trace.error())));
    }
    line.writeEndObject();
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
    Instant at = time.now();
    enqueue(
        line -> {
          line.writeStartObject();
          line.writeStringField("time", at.toString());
          line.writeNumberField("status", error.kind().httpStatus());
          line.writeStringField("outcome", "rejected");
          line.writeStringField("code", error.code().orElse(""));
          line.writeStringField("error", Truncated.of(Redactor.SHAPES.redact(error.getMessage())));
          line.writeEndObject();
        });
  }

  /** Waits, at most {@code timeout}, until every line queued so far is written. */
  public boolean flush(Duration timeout) {
    long target = queued.get();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (written.get() < target) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return true;
  }

  /** Writes what is queued and stops the writer. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        writer.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void enqueue(Line line) {
    queued.incrementAndGet();
    if (closed.get() || !queue.offer(line)) {
      write(List.of(line));
    }
  }

  private void drain() {
    List<Line> batch = new ArrayList<>(BATCH);
    while (!(closed.get() && queue.isEmpty())) {
      try {
        Line first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          gather(batch);
          write(batch);
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Sleeps out the linger rather than waiting on the queue, so requests offering in the meantime
   * wake nobody (a wake-up is a system call each).
   */
  private void gather(List<Line> batch) throws InterruptedException {
    queue.drainTo(batch, BATCH - batch.size());
    if (batch.size() < BATCH && !closed.get()) {
      TimeUnit.NANOSECONDS.sleep(LINGER_NANOS);
      queue.drainTo(batch, BATCH - batch.size());
    }
  }

  /** The lines as UTF-8, each ended by the platform's line separator, in one write. */
  private void write(List<Line> lines) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(lines.size() * 320);
    try (JsonGenerator generator = Json.MAPPER.getFactory().createGenerator(bytes)) {
      generator.setRootValueSeparator(LINE_END);
      for (Line line : lines) {
        line.writeTo(generator);
      }
      generator.writeRaw(LINE_END.getValue());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // into memory: only a bug in a line gets here
    }
    try {
      // One write call, which the print stream makes whole, never between another's lines.
      bytes.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a print stream keeps its errors to itself
    }
    out.flush();
    written.addAndGet(lines.size());
  }

  /** One line's JSON object, written when the line is. */
  @FunctionalInterface
  private interface Line {
    void writeTo(JsonGenerator generator) throws IOException;
  }
}
