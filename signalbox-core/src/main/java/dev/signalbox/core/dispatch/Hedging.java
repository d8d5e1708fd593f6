package dev.signalbox.core.dispatch;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.config.HedgeSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.pool.Admission;
import dev.signalbox.core.pool.PoolState;
import dev.signalbox.core.routing.PlannedAttempt;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hedging before the first byte (the tail-at-scale technique): the plan's first attempt runs on its
 * own thread; when it has neither answered nor sent its first chunk within the route's wait, the
 * request also goes to the plan's next deployment, and the first of the two to answer wins. The
 * other is cancelled (its thread interrupted, its stream closed) and traced as {@code hedge_lost}.
 * Hedges are capped per route as a share of its requests. Only the request's thread touches the
 * exchange.
 */
final class Hedging {
  static final String HEDGED = "hedged";
  static final String HEDGE_LOST = "hedge_lost";

  private final Dispatcher dispatcher;
  private final PoolState pool;
  private final ConcurrentHashMap<String, Budget> budgets = new ConcurrentHashMap<>();

  private final ThreadFactory legs;

  Hedging(Dispatcher dispatcher, PoolState pool, ThreadFactory legs) {
    this.dispatcher = dispatcher;
    this.pool = pool;
    this.legs = legs;
  }

  /**
   * Hedges allowed per route: at most {@code maxShare} of the requests that could have been hedged.
   */
  private static final class Budget {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong hedges = new AtomicLong();

    boolean take(double maxShare) {
      long allowed = (long) Math.floor(maxShare * requests.get());
      long used;
      do {
        used = hedges.get();
        if (used >= allowed) {
          return false;
        }
      } while (!hedges.compareAndSet(used, used + 1));
      return true;
    }
  }

  /** One upstream call on its own thread, until its answer or its first chunk. */
  private final class Leg implements Runnable {
    final PlannedAttempt attempt;
    final PoolState.Lease lease;
    final UpstreamCall call;
    final long startNanos;
    final BlockingQueue<Leg> done;
    private Thread thread;
    private Dispatcher.Answer answer;
    private boolean finished;
    private boolean lost;

    Leg(
        PlannedAttempt attempt,
        PoolState.Lease lease,
        UpstreamCall call,
        long startNanos,
        BlockingQueue<Leg> done) {
      this.attempt = attempt;
      this.lease = lease;
      this.call = call;
      this.startNanos = startNanos;
      this.done = done;
    }

    Leg start() {
      thread = legs.newThread(this);
      thread.start();
      return this;
    }

    @Override
    public void run() {
      Dispatcher.Answer result;
      try {
        result = dispatcher.answer(attempt.deployment(), call);
      } catch (InterruptedException e) {
        result =
            failure(UpstreamFailure.Kind.CANCELLED, "cancelled: the other attempt answered first");
      } catch (RuntimeException e) {
        result =
            failure(
                UpstreamFailure.Kind.MALFORMED,
                e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      synchronized (this) {
        answer = result;
        finished = true;
        if (lost) {
          release();
        }
      }
      done.add(this);
    }

    synchronized Dispatcher.Answer answer() {
      return answer;
    }

    /** This leg lost: cancel it now, or release what it holds as soon as it ends. */
    synchronized void lose() {
      lost = true;
      if (finished) {
        release();
      } else {
        thread.interrupt();
      }
    }

    private void release() {
      if (answer.chunks() != null) {
        answer.chunks().cancel();
      }
      lease.abandoned();
    }

    private static Dispatcher.Answer failure(UpstreamFailure.Kind kind, String message) {
      return new Dispatcher.Answer(
          new UpstreamReply.Failed(UpstreamFailure.of(kind, message)), null, null);
    }
  }

  /**
   * The first attempt of the plan, hedged when the route says so and a second deployment is there;
   * otherwise (or when the budget is spent, or the wait is not yet measured) a plain attempt.
   */
  Dispatcher.Outcome firstAttempt(
      PlannedAttempt first,
      PoolState.Lease firstLease,
      List<PlannedAttempt> plan,
      RouteSpec route,
      ChatRequest request,
      long remainingNanos,
      long seed,
      Exchange exchange)
      throws InterruptedException {
    HedgeSpec spec = route.hedge().orElseThrow();
    Budget budget = budgets.computeIfAbsent(route.name(), r -> new Budget());
    budget.requests.incrementAndGet();
    Optional<Duration> wait = spec.waitTime().or(() -> measuredP95(first));
    Optional<PlannedAttempt> second =
        plan.stream().skip(1).filter(a -> !a.deployment().equals(first.deployment())).findFirst();
    if (wait.isEmpty() || second.isEmpty()) {
      return dispatcher.attempt(first, request, remainingNanos, seed, firstLease, exchange);
    }
    BlockingQueue<Leg> done = new LinkedBlockingQueue<>();
    Leg a =
        new Leg(
                first,
                firstLease,
                Dispatcher.startAttempt(first, request, remainingNanos, seed, exchange),
                exchange.nanoTime(),
                done)
            .start();
    Leg b = null;
    try {
      Leg answered =
          done.poll(Math.min(wait.get().toNanos(), remainingNanos), TimeUnit.NANOSECONDS);
      if (answered == null) {
        b = hedge(second.get(), spec, budget, request, remainingNanos, seed, exchange, done);
        answered = done.poll(remainingNanos, TimeUnit.NANOSECONDS);
      }
      if (answered == null) {
        a.lose();
        if (b != null) {
          b.lose();
        }
        return new Dispatcher.Outcome(
            null, UpstreamFailure.of(UpstreamFailure.Kind.TIMEOUT, "route deadline passed"));
      }
      Leg other = answered == a ? b : a;
      if (answered.answer().ok() || other == null) {
        if (other != null) {
          other.lose();
          exchange.attemptEnded(
              other.attempt,
              other.startNanos,
              -1,
              HEDGE_LOST,
              false,
              "the other attempt answered first");
        }
        return dispatcher.settle(
            answered.attempt, answered.startNanos, answered.answer(), answered.lease, exchange);
      }
      // The first to answer failed: its failure is traced, and the other may still win.
      dispatcher.settle(
          answered.attempt, answered.startNanos, answered.answer(), answered.lease, exchange);
      Leg last = done.poll(remainingNanos, TimeUnit.NANOSECONDS);
      if (last == null) {
        other.lose();
        return new Dispatcher.Outcome(
            null, UpstreamFailure.of(UpstreamFailure.Kind.TIMEOUT, "route deadline passed"));
      }
      return dispatcher.settle(last.attempt, last.startNanos, last.answer(), last.lease, exchange);
    } catch (InterruptedException e) {
      a.lose();
      if (b != null) {
        b.lose();
      }
      throw e;
    }
  }

  /** Starts the second leg when the budget and the deployment's breaker allow; null otherwise. */
  private Leg hedge(
      PlannedAttempt second,
      HedgeSpec spec,
      Budget budget,
      ChatRequest request,
      long remainingNanos,
      long seed,
      Exchange exchange,
      BlockingQueue<Leg> done) {
    Admission admission = pool.admit(second.deployment());
    if (admission == Admission.REJECTED || !budget.take(spec.maxShare())) {
      return null;
    }
    exchange.flag(HEDGED);
    PoolState.Lease lease = dispatcher.start(second, exchange, admission == Admission.PROBE);
    return new Leg(
            second,
            lease,
            Dispatcher.startAttempt(second, request, remainingNanos, seed + 1, exchange),
            exchange.nanoTime(),
            done)
        .start();
  }

  private Optional<Duration> measuredP95(PlannedAttempt first) {
    DeploymentState state = pool.snapshot().state(first.deployment().name());
    double p95 = state.p95TtftMillis();
    return Double.isNaN(p95) ? Optional.empty() : Optional.of(Duration.ofNanos((long) (p95 * 1e6)));
  }
}
