package dev.signalbox.core.dispatch;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CascadeStepTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.TraceSink;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.routing.PlannedAttempt;
import dev.signalbox.core.routing.RequestSignals;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's life, from decision to its single {@link #finish}: collects the attempts, tells the
 * listener each event, and hands the finished trace to the sink. A cascade's samples run at once,
 * so what they record is guarded by the exchange's lock; the listener is told after the lock is
 * released (so the attempts of samples may reach it from several threads at once).
 */
public final class Exchange {
  private final String id;
  private final Instant time;
  private final long startNanos;
  private final TimeSource clock;
  private final String tenant;
  private final String key;
  private final String team;
  private final RequestSignals signals;
  private final String configHash;
  private final boolean recordPrompt;
  private final boolean recordAnswer;
  private final RoutingListener listener;
  private final TraceSink sink;
  private final List<AttemptTrace> attempts = new ArrayList<>();
  private final List<String> flags = new ArrayList<>();
  private final List<CascadeStepTrace> cascade = new ArrayList<>();
  private double chargedUsd;
  private final AtomicBoolean finished = new AtomicBoolean();
  private DecisionRecord decision;
  private volatile DecisionTrace trace;
  private PlannedAttempt committed;
  private long committedStartNanos;
  private long committedFirstTokenNanos;
  private String finishReason = "";

  /** The request as it goes out, when limits changed it (a shorter answer to fit a budget). */
  private volatile ChatRequest outgoing;

  /** The most output a stream may carry before it is cut (what limits reserved), if capped. */
  private volatile long streamedOutputCap = Long.MAX_VALUE;

  public Exchange(
      String id,
      TimeSource clock,
      String tenant,
      String key,
      String team,
      RequestSignals signals,
      String configHash,
      boolean recordPrompt,
      boolean recordAnswer,
      RoutingListener listener,
      TraceSink sink) {
    this.id = id;
    this.clock = clock;
    this.time = clock.now();
    this.startNanos = clock.nanoTime();
    this.tenant = tenant;
    this.key = key;
    this.team = team;
    this.signals = signals;
    this.configHash = configHash;
    this.recordPrompt = recordPrompt;
    this.recordAnswer = recordAnswer;
    this.listener = listener;
    this.sink = sink;
    listener.requestStart(signals.request());
  }

  public String id() {
    return id;
  }

  public ChatRequest request() {
    ChatRequest changed = outgoing;
    return changed != null ? changed : signals.request();
  }

  /** Limits the answer to {@code tokens}, before the request goes out; the trace says so. */
  public void limitOutput(int tokens, String why) {
    outgoing = signals.request().withMaxTokens(tokens);
    flag(why);
  }

  /**
   * Cuts a stream once its output passes {@code tokens}: what the request's budgets reserved for
   * it, so that an upstream that writes past {@code max_tokens} spends no more than that.
   */
  public void capStreamedOutput(long tokens) {
    streamedOutputCap = tokens;
  }

  public long streamedOutputCap() {
    return streamedOutputCap;
  }

  public RequestSignals signals() {
    return signals;
  }

  public boolean recordsAnswer() {
    return recordAnswer;
  }

  public void decided(DecisionRecord record) {
    synchronized (this) {
      this.decision = record;
    }
    listener.decided(record);
  }

  public synchronized List<AttemptTrace> attempts() {
    return List.copyOf(attempts);
  }

  public long nanoTime() {
    return clock.nanoTime();
  }

  /**
   * Tells the listeners an attempt started, and returns the trace context its upstream call
   * carries: the listeners' (the attempt's span), or else the client's own, passed on as sent.
   */
  Map<String, String> attemptStarted(PlannedAttempt attempt) {
    int index;
    synchronized (this) {
      index = attempts.size();
    }
    listener.attemptStart(attempt.step(), index);
    Map<String, String> context = listener.attemptContext();
    if (!context.isEmpty()) {
      return context;
    }
    Map<String, String> client = Map.of();
    for (String name : TRACE_CONTEXT_HEADERS) {
      String value = signals.headers().get(name);
      if (value != null) {
        client = client.isEmpty() ? new HashMap<>(2) : client;
        client.put(name, value);
      }
    }
    return client;
  }

  private static final List<String> TRACE_CONTEXT_HEADERS = List.of("traceparent", "tracestate");

  void firstToken(PlannedAttempt attempt, long attemptStartNanos) {
    listener.firstToken(attempt.step(), Duration.ofNanos(clock.nanoTime() - attemptStartNanos));
  }

  void attemptEnded(
      PlannedAttempt attempt,
      long attemptStartNanos,
      long firstTokenNanos,
      String result,
      boolean committed,
      String error) {
    tell(recordAttempt(attempt, attemptStartNanos, firstTokenNanos, result, committed, error));
  }

  private synchronized AttemptTrace recordAttempt(
      PlannedAttempt attempt,
      long attemptStartNanos,
      long firstTokenNanos,
      String result,
      boolean committed,
      String error) {
    double ttft = firstTokenNanos < 0 ? -1 : (firstTokenNanos - attemptStartNanos) / 1e6;
    double duration = (clock.nanoTime() - attemptStartNanos) / 1e6;
    AttemptTrace trace =
        new AttemptTrace(
            attempts.size(),
            attempt.model().name(),
            attempt.deployment().name(),
            result,
            ttft,
            duration,
            committed,
            error);
    attempts.add(trace);
    return trace;
  }

  /** Tells the listener how an attempt ended: well ("ok"), or not. */
  private void tell(AttemptTrace trace) {
    if (trace.result().equals("ok")) {
      listener.attemptEnd(trace);
    } else {
      listener.attemptFailed(trace);
    }
  }

  /** A planned attempt not made, with why (an open breaker): traced as a hop of no duration. */
  void skipped(PlannedAttempt attempt, String result, String why) {
    AttemptTrace trace;
    synchronized (this) {
      trace =
          new AttemptTrace(
              attempts.size(),
              attempt.model().name(),
              attempt.deployment().name(),
              result,
              -1,
              0,
              false,
              why);
      attempts.add(trace);
    }
    listener.attemptFailed(trace);
  }

  void fallback(PlannedAttempt from, String reason) {
    listener.fallback(from.step(), reason);
  }

  /** The attempt whose stream reached the client; its trace is written when the stream ends. */
  synchronized void committed(
      PlannedAttempt attempt, long attemptStartNanos, long firstTokenNanos) {
    this.committed = attempt;
    this.committedStartNanos = attemptStartNanos;
    this.committedFirstTokenNanos = firstTokenNanos;
  }

  /**
   * Whether an upstream stream reached the client and its attempt is still open (traced when the
   * stream ends).
   */
  public synchronized boolean streamOpen() {
    return committed != null;
  }

  /** Ends the committed attempt once its stream is over: "ok", or the failure label. */
  public void streamEnded(String result, String error) {
    AttemptTrace ended = null;
    synchronized (this) {
      if (committed != null) {
        ended =
            recordAttempt(
                committed, committedStartNanos, committedFirstTokenNanos, result, true, error);
        committed = null;
      }
    }
    if (ended != null) {
      tell(ended);
    }
  }

  /** The flag of a request that ended before the router decided: there is no decision to replay. */
  public static final String NOT_ROUTED = "not-routed";

  public synchronized void flag(String flag) {
    if (!flags.contains(flag)) {
      flags.add(flag);
    }
  }

  /**
   * Adds the cost of an answer that was paid for but not served (a cascade's turned-down answers)
   * to the request's.
   */
  public synchronized void charge(ModelSpec model, Usage usage) {
    chargedUsd += model.pricing().cost(usage);
  }

  /** Why the served answer ended ({@code stop}, {@code length}, {@code tool_calls}). */
  public synchronized void finishReason(String reason) {
    this.finishReason = reason;
  }

  /** Records one stage of a cascade, in order. */
  public void cascadeStep(CascadeStepTrace step) {
    synchronized (this) {
      cascade.add(step);
    }
    listener.cascadeStageEnd(step);
  }

  /** A cascade's stage (numbered from 1) begins; its attempts follow. */
  void cascadeStageStarted(int stage, String model) {
    listener.cascadeStageStart(stage, model);
  }

  /**
   * Ends the request: builds its trace, tells the listener and hands the trace to the sink. Only
   * the first call counts.
   *
   * @param servedBy the model whose prices apply, or null when nothing was served
   */
  public DecisionTrace finish(
      String outcome, Usage usage, ModelSpec servedBy, String error, String answer) {
    if (!finished.compareAndSet(false, true)) {
      return trace;
    }
    DecisionTrace built = build(outcome, usage, servedBy, error, answer);
    Duration duration = Duration.ofNanos(clock.nanoTime() - startNanos);
    if (outcome.equals("ok")) {
      listener.answered(finishReason(), answer);
      listener.requestEnd(built, duration);
    } else {
      listener.requestFailed(built, duration);
    }
    sink.accept(built);
    return built;
  }

  private synchronized String finishReason() {
    return finishReason;
  }

  /**
   * The usage as the client and the trace both report it: when the upstream gave none (the usage is
   * estimated), the prompt's tokens as the router counted them.
   */
  public Usage counted(Usage usage) {
    return usage.estimated() && usage.promptTokens() == 0
        ? new Usage(signals.promptTokens(), 0, usage.completionTokens(), true)
        : usage;
  }

  private synchronized DecisionTrace build(
      String outcome, Usage usage, ModelSpec servedBy, String error, String answer) {
    Usage counted = counted(usage);
    if (usage.estimated()) {
      flag("usage-estimated");
    }
    double cost = (servedBy == null ? 0 : servedBy.pricing().cost(counted)) + chargedUsd;
    if (decision == null) {
      flag(NOT_ROUTED);
    }
    DecisionRecord d = decision != null ? decision : emptyDecision();
    trace =
        new DecisionTrace(
            id,
            time,
            tenant,
            request().model(),
            d.routes(),
            d.policy(),
            d.policyVersion(),
            configHash,
            d.seed(),
            d.signals(),
            d.candidates(),
            d.plan(),
            d.propensity(),
            d.pool(),
            attempts,
            counted,
            cost,
            request().stream(),
            outcome,
            error,
            flags,
            recordPrompt ? request().raw().path("messages").toString() : "",
            recordAnswer ? answer : "",
            cascade,
            key,
            team);
    return trace;
  }

  private static DecisionRecord emptyDecision() {
    return new DecisionRecord(
        List.of(), "", 1, 0, Map.of(), List.of(), List.of(), 1, Map.of(), PoolSnapshot.EMPTY);
  }
}
