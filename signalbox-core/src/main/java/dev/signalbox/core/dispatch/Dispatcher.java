package dev.signalbox.core.dispatch;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.config.Capability;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.pool.Admission;
import dev.signalbox.core.pool.PoolState;
import dev.signalbox.core.routing.PlannedAttempt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Walks a plan. A connect failure, a retryable status, a timeout or a malformed answer before the
 * first byte reached the client moves at once to the next attempt; only a deployment already tried
 * waits first (jittered backoff, at least its Retry-After, within the route's deadline). Once a
 * stream's first chunk is handed back, nothing is retried: that is the commit boundary.
 */
public final class Dispatcher {
  /** The result of a planned attempt skipped because its deployment's circuit was open. */
  public static final String BREAKER_OPEN = "breaker_open";

  /**
   * The flag of a request sent to a deployment with an open circuit because every candidate's was.
   */
  public static final String BREAKER_OVERRIDE = "breaker-override";

  private final Function<DeploymentSpec, Upstream> upstreams;
  private final TimeSource time;
  private final PoolState pool;
  private final Backoff backoff;
  private final Hedging hedging;

  public Dispatcher(
      Function<DeploymentSpec, Upstream> upstreams,
      TimeSource time,
      PoolState pool,
      Backoff backoff,
      ThreadFactory legs) {
    this.upstreams = upstreams;
    this.time = time;
    this.pool = pool;
    this.backoff = backoff;
    this.hedging = new Hedging(this, pool, legs);
  }

  /**
   * A plan's first attempt, admitted by its breaker and counted in flight the moment it was chosen.
   */
  public record Reservation(PlannedAttempt attempt, boolean probe, PoolState.Lease lease) {}

  /**
   * Admits and counts the first attempt of a plan, whose assignment the caller has {@link
   * PoolState#claim claimed}, so that the next decision sees it; empty when its circuit is open.
   */
  public Optional<Reservation> reserveClaimed(PlannedAttempt first, Exchange exchange) {
    Admission admission = pool.admit(first.deployment());
    if (admission == Admission.REJECTED) {
      return Optional.empty();
    }
    boolean probe = admission == Admission.PROBE;
    return Optional.of(
        new Reservation(
            first,
            probe,
            pool.startClaimed(
                first.deployment(),
                exchange.signals().promptTokensEstimate(),
                exchange.signals().maxOutputTokens(),
                probe)));
  }

  PoolState.Lease start(PlannedAttempt attempt, Exchange exchange, boolean probe) {
    return pool.start(
        attempt.deployment(),
        exchange.signals().promptTokensEstimate(),
        exchange.signals().maxOutputTokens(),
        probe);
  }

  public DispatchResult dispatch(
      List<PlannedAttempt> plan, RouteSpec route, long seed, Exchange exchange)
      throws InterruptedException {
    return dispatch(plan, route, seed, exchange, Optional.empty());
  }

  /**
   * Walks the plan; {@code reserved}, when given, is its first attempt, already admitted and
   * counted.
   */
  public DispatchResult dispatch(
      List<PlannedAttempt> plan,
      RouteSpec route,
      long seed,
      Exchange exchange,
      Optional<Reservation> reserved)
      throws InterruptedException {
    return dispatch(
        plan,
        route,
        seed,
        exchange,
        reserved,
        exchange.request(),
        time.nanoTime() + route.timeout().toNanos());
  }

  /**
   * Walks the plan sending {@code request} (the client's, or a cascade stage's variant of it) until
   * {@code deadline} on the {@link TimeSource}'s clock.
   */
  public DispatchResult dispatch(
      List<PlannedAttempt> plan,
      RouteSpec route,
      long seed,
      Exchange exchange,
      Optional<Reservation> reserved,
      ChatRequest request,
      long deadline)
      throws InterruptedException {
    return walk(plan, route, seed, exchange, reserved, request, deadline, Optional.empty());
  }

  /**
   * The outcome of a plan's first attempt sent {@link #firstAttemptWithoutBlocking without
   * blocking}: an answer, or a failure from which {@link #dispatchAfter} walks on.
   */
  public static final class FirstAttempt {
    private final Outcome outcome;
    private final long deadline;

    private FirstAttempt(Outcome outcome, long deadline) {
      this.outcome = outcome;
      this.deadline = deadline;
    }

    /** The answer, when the first attempt gave one. */
    public Optional<DispatchResult> answer() {
      return Optional.ofNullable(outcome.result());
    }
  }

  /**
   * Sends a plan's first attempt, reserved by {@link #reserveClaimed}, without blocking the caller,
   * when its upstream {@link Upstream#sendsWithoutBlocking can}: the outcome completes the stage on
   * the upstream's I/O thread. Empty, with nothing started, when the attempt needs a thread of its
   * own: a hedged route, no reservation, or an upstream that blocks.
   */
  public Optional<CompletionStage<FirstAttempt>> firstAttemptWithoutBlocking(
      List<PlannedAttempt> plan, RouteSpec route, long seed, Exchange exchange, Reservation held) {
    PlannedAttempt attempt = plan.get(0);
    Upstream upstream = upstreams.apply(attempt.deployment());
    if (route.hedge().isPresent()
        || !held.attempt().equals(attempt)
        || !upstream.sendsWithoutBlocking(exchange.request())) {
      return Optional.empty();
    }
    long start = time.nanoTime();
    long deadline = start + route.timeout().toNanos();
    int maxAttempts = maxAttempts(route, plan);
    long budget = share(deadline - start, plan.size() - 1, maxAttempts - 1);
    UpstreamCall call = startAttempt(attempt, exchange.request(), budget, seed, exchange);
    return Optional.of(
        upstream
            .sendWithoutBlocking(call)
            .whenComplete(
                (reply, error) -> {
                  if (error != null) {
                    held.lease().abandoned();
                  }
                })
            .thenApply(
                reply ->
                    new FirstAttempt(
                        settle(attempt, start, sentWithoutBlocking(reply), held.lease(), exchange),
                        deadline)));
  }

  /** A reply sent without blocking: a stream's comes with its first chunk ready to take. */
  private static Answer sentWithoutBlocking(UpstreamReply reply) {
    if (!(reply instanceof UpstreamReply.Streaming streaming)) {
      return new Answer(reply, null, null);
    }
    try {
      return new Answer(reply, streaming.chunks(), streaming.chunks().next());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("a stream sent without blocking waited for its first chunk");
    }
  }

  /**
   * Walks the rest of a plan whose first attempt, sent without blocking, failed: as {@link
   * #dispatch}, with that attempt counted as made.
   */
  public DispatchResult dispatchAfter(
      FirstAttempt first,
      List<PlannedAttempt> plan,
      RouteSpec route,
      long seed,
      Exchange exchange,
      Reservation held)
      throws InterruptedException {
    return walk(
        plan,
        route,
        seed,
        exchange,
        Optional.of(held),
        exchange.request(),
        first.deadline,
        Optional.of(first.outcome));
  }

  /**
   * Walks the plan; its first attempt's outcome, when {@code first} gives it, is not sent again.
   */
  private DispatchResult walk(
      List<PlannedAttempt> plan,
      RouteSpec route,
      long seed,
      Exchange exchange,
      Optional<Reservation> reserved,
      ChatRequest request,
      long deadline,
      Optional<Outcome> first)
      throws InterruptedException {
    int maxAttempts = maxAttempts(route, plan);
    SplittableRandom jitter = new SplittableRandom(seed ^ 0x5DEECE66DL);
    Map<String, Integer> tries = new HashMap<>();
    Map<String, Optional<Duration>> retryAfter = new HashMap<>();
    List<String> failures = new ArrayList<>();
    List<UpstreamFailure> made429 = new ArrayList<>();
    List<UpstreamFailure> madeOther = new ArrayList<>();
    List<PlannedAttempt> skipped = new ArrayList<>();
    UpstreamFailure last = null;
    int made = 0;
    // Skipped entries do not count as attempts; the bound keeps a plan of open breakers from
    // looping.
    for (int step = 0; made < maxAttempts && step < maxAttempts + plan.size(); step++) {
      PlannedAttempt attempt = plan.get(step % plan.size());
      String deployment = attempt.deployment().name();
      Optional<Reservation> held =
          step == 0 ? reserved.filter(r -> r.attempt().equals(attempt)) : Optional.empty();
      Admission admission =
          held.isPresent()
              ? (held.get().probe() ? Admission.PROBE : Admission.ADMITTED)
              : pool.admit(attempt.deployment());
      if (admission == Admission.REJECTED) {
        if (!skipped.contains(attempt)) {
          skipped.add(attempt);
          exchange.skipped(attempt, BREAKER_OPEN, "circuit open: skipped");
          failures.add(attempt.model().name() + "@" + deployment + " [skipped: circuit open]");
        }
        continue;
      }
      int tried = tries.merge(deployment, 1, Integer::sum) - 1;
      if (tried > 0) {
        Optional<Duration> asked = retryAfter.getOrDefault(deployment, Optional.empty());
        if (backoff.tooLong(asked)) {
          failures.add(
              deployment
                  + " [not retried: Retry-After "
                  + asked.get().toMillis()
                  + " ms is longer than the "
                  + backoff.maxRetryAfter().toMillis()
                  + " ms this gateway waits]");
          made++; // decided against, which uses up the attempt as before
          continue;
        }
        Duration wait = backoff.delay(tried, asked, jitter);
        if (time.nanoTime() + wait.toNanos() >= deadline) {
          failures.add(
              deployment
                  + " [not retried: backoff "
                  + wait.toMillis()
                  + " ms passes the route's deadline]");
          break;
        }
        time.sleep(wait);
      }
      Outcome outcome;
      if (step == 0 && first.isPresent()) {
        outcome = first.get();
      } else {
        long remaining = deadline - time.nanoTime();
        if (remaining <= 0) {
          last = UpstreamFailure.of(UpstreamFailure.Kind.TIMEOUT, "route deadline passed");
          break;
        }
        long budget =
            share(remaining, plan.size() - 1 - step % plan.size(), maxAttempts - made - 1);
        PoolState.Lease lease =
            held.isPresent()
                ? held.get().lease()
                : start(attempt, exchange, admission == Admission.PROBE);
        outcome =
            made == 0 && route.hedge().isPresent()
                ? hedging.firstAttempt(
                    attempt, lease, plan, route, request, budget, seed + made, exchange)
                : attempt(attempt, request, budget, seed + made, lease, exchange);
      }
      made++;
      if (outcome.result != null) {
        return outcome.result;
      }
      last = outcome.failure;
      (rateLimited(last) ? made429 : madeOther).add(last);
      failures.add(
          attempt.model().name()
              + "@"
              + deployment
              + " ["
              + last.label()
              + ": "
              + last.message()
              + "]");
      retryAfter.put(deployment, last.retryAfter());
      if (!retryable(last, route)) {
        return new DispatchResult.Failed(notRetryable(last, attempt), outcomeOf(last));
      }
      if (made < maxAttempts) {
        exchange.fallback(attempt, last.label());
      }
    }
    if (made == 0 && !skipped.isEmpty()) {
      // Every breaker is open: rather than fail at once, try the one that failed longest ago.
      PlannedAttempt oldest =
          skipped.stream()
              .min(Comparator.comparingLong(a -> pool.lastFailureNanos(a.deployment())))
              .orElseThrow();
      exchange.flag(BREAKER_OVERRIDE);
      long remaining = deadline - time.nanoTime();
      Outcome outcome =
          attempt(
              oldest,
              request,
              Math.max(1, remaining),
              seed,
              start(oldest, exchange, false),
              exchange);
      if (outcome.result != null) {
        return outcome.result;
      }
      last = outcome.failure;
      (rateLimited(last) ? made429 : madeOther).add(last);
      failures.add(
          oldest.model().name()
              + "@"
              + oldest.deployment().name()
              + " ["
              + last.label()
              + ": "
              + last.message()
              + " (tried with its circuit open: every candidate's was)]");
      if (!retryable(last, route)) {
        return new DispatchResult.Failed(notRetryable(last, oldest), outcomeOf(last));
      }
    }
    if (!made429.isEmpty() && madeOther.isEmpty()) {
      return new DispatchResult.Failed(rateLimited(route, failures, made429), outcomeOf(last));
    }
    return new DispatchResult.Failed(exhausted(route, failures, last), outcomeOf(last));
  }

  private static boolean rateLimited(UpstreamFailure failure) {
    return failure.kind() == UpstreamFailure.Kind.HTTP_STATUS && failure.status() == 429;
  }

  /**
   * Every attempt made was refused with a 429: the client is refused so too, to wait as the
   * upstreams asked (the shortest wait any of them gave), as it would against the provider.
   */
  private static SignalboxException rateLimited(
      RouteSpec route, List<String> failures, List<UpstreamFailure> refusals) {
    Duration wait =
        refusals.stream()
            .map(f -> f.retryAfter().orElse(Duration.ofSeconds(1)))
            .min(Duration::compareTo)
            .orElseThrow();
    return new SignalboxException(
        ErrorKind.RATE_LIMITED,
        attempts("rate limited upstream", route, failures),
        null,
        "upstream_rate_limited",
        wait);
  }

  /** One attempt: a result to return, or the failure that ends it. */
  record Outcome(DispatchResult result, UpstreamFailure failure) {}

  Outcome attempt(
      PlannedAttempt attempt,
      ChatRequest request,
      long remainingNanos,
      long seed,
      PoolState.Lease lease,
      Exchange exchange)
      throws InterruptedException {
    UpstreamCall call = startAttempt(attempt, request, remainingNanos, seed, exchange);
    long start = time.nanoTime();
    try {
      return settle(attempt, start, answer(attempt.deployment(), call), lease, exchange);
    } catch (InterruptedException | RuntimeException e) {
      lease.abandoned();
      throw e;
    }
  }

  /** The attempts a route allows: its own bound, else every plan entry and one retry. */
  private static int maxAttempts(RouteSpec route, List<PlannedAttempt> plan) {
    return route.maxAttempts() > 0 ? route.maxAttempts() : plan.size() + 1;
  }

  /**
   * What an attempt may use of the route's time left: with fallbacks still to come after it, its
   * share (the time left divided by itself and them), so that a route timeout shorter than a
   * deployment's own leaves the fallbacks their turn; the last attempt may use all that is left.
   *
   * @param entriesAfter plan entries after this one
   * @param attemptsAfter attempts the route still allows after this one
   */
  static long share(long remainingNanos, int entriesAfter, int attemptsAfter) {
    int after = Math.max(0, Math.min(entriesAfter, attemptsAfter));
    return remainingNanos / (after + 1);
  }

  /**
   * Starts an attempt: the listeners hear of it, and its call to the deployment carries the
   * attempt's trace context.
   */
  static UpstreamCall startAttempt(
      PlannedAttempt attempt,
      ChatRequest request,
      long remainingNanos,
      long seed,
      Exchange exchange) {
    Map<String, String> traceContext = exchange.attemptStarted(attempt);
    DeploymentSpec deployment = attempt.deployment();
    Duration remaining = Duration.ofNanos(remainingNanos);
    return new UpstreamCall(
        request,
        deployment.upstreamModel(),
        min(deployment.firstTokenTimeout(), remaining),
        deployment.idleTimeout(),
        min(deployment.requestTimeout(), remaining),
        seed,
        exchange.signals().headers(),
        traceContext);
  }

  /**
   * Continues a text answer whose committed stream broke: the conversation, with the text so far as
   * a final assistant message, goes to the plan's next deployments after the broken one whose model
   * accepts that (assistant-prefill), until one streams. Empty when none does.
   */
  public Optional<DispatchResult.Committed> continueStream(
      List<PlannedAttempt> plan,
      PlannedAttempt broken,
      String partial,
      RouteSpec route,
      long seed,
      Exchange exchange)
      throws InterruptedException {
    int from = plan.indexOf(broken) + 1;
    for (PlannedAttempt next : plan.subList(Math.max(0, from), plan.size())) {
      if (!next.model().capabilities().contains(Capability.ASSISTANT_PREFILL)
          || next.deployment().equals(broken.deployment())) {
        continue;
      }
      Admission admission = pool.admit(next.deployment());
      if (admission == Admission.REJECTED) {
        exchange.skipped(next, BREAKER_OPEN, "circuit open: skipped");
        continue;
      }
      ChatRequest request =
          Continuations.request(exchange.request(), partial, next.deployment().provider());
      UpstreamCall call =
          startAttempt(next, request, route.timeout().toNanos(), seed + 7_919, exchange);
      PoolState.Lease lease = start(next, exchange, admission == Admission.PROBE);
      long start = time.nanoTime();
      Outcome outcome;
      try {
        outcome = settle(next, start, answer(next.deployment(), call), lease, exchange);
      } catch (InterruptedException | RuntimeException e) {
        lease.abandoned();
        throw e;
      }
      if (outcome.result() instanceof DispatchResult.Committed committed) {
        return Optional.of(committed);
      }
    }
    return Optional.empty();
  }

  /**
   * What an upstream gave back before anything reached the client: its reply and, for a stream, the
   * first chunk.
   */
  record Answer(UpstreamReply reply, ChunkStream chunks, Chunk first) {
    boolean ok() {
      return reply instanceof UpstreamReply.Completed
          || (chunks != null && !(first instanceof Chunk.Broken));
    }
  }

  Answer answer(DeploymentSpec deployment, UpstreamCall call) throws InterruptedException {
    UpstreamReply reply = upstreams.apply(deployment).send(call);
    if (reply instanceof UpstreamReply.Streaming streaming) {
      ChunkStream chunks = streaming.chunks();
      try {
        return new Answer(reply, chunks, chunks.next());
      } catch (InterruptedException | RuntimeException e) {
        chunks.cancel();
        throw e;
      }
    }
    return new Answer(reply, null, null);
  }

  /**
   * Reports an answer to the pool and the exchange: a result to return, or the failure that ends
   * the attempt.
   */
  Outcome settle(
      PlannedAttempt attempt, long start, Answer answer, PoolState.Lease lease, Exchange exchange) {
    return switch (answer.reply()) {
      case UpstreamReply.Completed completed -> {
        lease.succeeded(completed.usage().completionTokens());
        exchange.firstToken(attempt, start);
        exchange.attemptEnded(attempt, start, time.nanoTime(), "ok", true, "");
        yield new Outcome(new DispatchResult.Answered(attempt, completed), null);
      }
      case UpstreamReply.Failed failed ->
          failedAttempt(attempt, start, failed.failure(), lease, exchange);
      case UpstreamReply.Streaming streaming -> {
        if (answer.first() instanceof Chunk.Broken broken) {
          answer.chunks().cancel();
          yield failedAttempt(attempt, start, broken.failure(), lease, exchange);
        }
        long firstToken = time.nanoTime();
        lease.firstToken();
        exchange.firstToken(attempt, start);
        exchange.committed(attempt, start, firstToken);
        yield new Outcome(
            new DispatchResult.Committed(
                attempt, answer.first(), new PoolTrackedStream(answer.chunks(), lease)),
            null);
      }
    };
  }

  private Outcome failedAttempt(
      PlannedAttempt attempt,
      long start,
      UpstreamFailure failure,
      PoolState.Lease lease,
      Exchange exchange) {
    if (failure.kind() == UpstreamFailure.Kind.CANCELLED) {
      lease.abandoned();
    } else {
      lease.failed(failure.kind() == UpstreamFailure.Kind.HTTP_STATUS && failure.status() == 429);
    }
    exchange.attemptEnded(attempt, start, -1, failure.label(), false, failure.message());
    return new Outcome(null, failure);
  }

  static boolean retryable(UpstreamFailure failure, RouteSpec route) {
    return switch (failure.kind()) {
      case CONNECT, RESET, TIMEOUT, MALFORMED -> true;
      case HTTP_STATUS -> route.fallbackOn().contains(failure.status());
      case CANCELLED -> false;
    };
  }

  private static SignalboxException notRetryable(UpstreamFailure failure, PlannedAttempt attempt) {
    String where =
        "deployment '"
            + attempt.deployment().name()
            + "' of model '"
            + attempt.model().name()
            + "'";
    if (failure.kind() == UpstreamFailure.Kind.CANCELLED) {
      return new SignalboxException(
          ErrorKind.UPSTREAM_FAILED, "cancelled: the client went away", null, "client_cancelled");
    }
    return switch (failure.status()) {
      case 400, 422 ->
          new SignalboxException(
              ErrorKind.INVALID_REQUEST,
              where + " rejected the request: " + failure.message(),
              null,
              "upstream_rejected");
      case 413 ->
          new SignalboxException(
              ErrorKind.PAYLOAD_TOO_LARGE,
              where + " rejected the request: " + failure.message(),
              null,
              "upstream_rejected");
      case 429 ->
          new SignalboxException(
              ErrorKind.RATE_LIMITED,
              where + " is rate limited: " + failure.message(),
              null,
              "upstream_rate_limited",
              failure.retryAfter().orElse(Duration.ofSeconds(1)));
      default ->
          new SignalboxException(
              ErrorKind.UPSTREAM_FAILED,
              where + " failed: " + failure.message(),
              null,
              "upstream_error");
    };
  }

  private static SignalboxException exhausted(
      RouteSpec route, List<String> failures, UpstreamFailure last) {
    boolean timeout = last != null && last.kind() == UpstreamFailure.Kind.TIMEOUT;
    String message = attempts(timeout ? "timed out" : "failed", route, failures);
    return new SignalboxException(
        timeout ? ErrorKind.UPSTREAM_TIMEOUT : ErrorKind.UPSTREAM_FAILED,
        message,
        null,
        timeout ? "upstream_timeout" : "upstream_error");
  }

  /** {@code <what> after 2 attempts for 'route': each attempt and how it failed}. */
  private static String attempts(String what, RouteSpec route, List<String> failures) {
    return what
        + " after "
        + failures.size()
        + " attempt"
        + (failures.size() == 1 ? "" : "s")
        + " for '"
        + route.name()
        + "': "
        + String.join(", ", failures);
  }

  private static String outcomeOf(UpstreamFailure last) {
    if (last == null) {
      return "upstream_failed";
    }
    return switch (last.kind()) {
      case TIMEOUT -> "upstream_timeout";
      case CANCELLED -> "client_cancelled";
      default -> "upstream_failed";
    };
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Keeps the deployment counted in flight until the committed stream ends, then reports how it
   * ended.
   */
  private static final class PoolTrackedStream implements ChunkStream {
    private final ChunkStream delegate;
    private final PoolState.Lease lease;

    PoolTrackedStream(ChunkStream delegate, PoolState.Lease lease) {
      this.delegate = delegate;
      this.lease = lease;
    }

    @Override
    public Chunk next() throws InterruptedException {
      return reported(delegate.next());
    }

    private Chunk reported(Chunk chunk) {
      switch (chunk) {
        case Chunk.Done done -> lease.succeeded(done.usage().completionTokens());
        case Chunk.Broken broken -> {
          if (broken.failure().kind() == UpstreamFailure.Kind.CANCELLED) {
            lease.abandoned();
          } else {
            lease.failed(false);
          }
        }
        case Chunk.Delta delta -> {}
        case Chunk.Plain plain -> {}
      }
      return chunk;
    }

    @Override
    public void cancel() {
      delegate.cancel();
      lease.abandoned();
    }

    @Override
    public boolean pushes() {
      return delegate.pushes();
    }

    @Override
    public void push(Consumer<Chunk> receiver) {
      delegate.push(chunk -> receiver.accept(reported(chunk)));
    }

    @Override
    public void pause() {
      delegate.pause();
    }

    @Override
    public void resume() {
      delegate.resume();
    }
  }
}
