package dev.signalbox.core.limits;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.core.config.BudgetSpec;
import dev.signalbox.core.config.LimitSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One scope's counters in memory. Requests and tokens per minute are a generic cell rate: a
 * theoretical arrival time that each admitted request moves on by its share of a minute, refused
 * when it would run more than a minute ahead of now (so a minute's allowance may come in a burst,
 * then the rate holds, with no window edge to double it). The budget is spent plus reserved against
 * its limit, the spend counted in the slices of the budget's window ({@link BudgetSpec}): one for a
 * calendar period, the newest few for a rolling one. Callers hold {@link #lock} around a check and
 * what follows it.
 */
final class ScopeCounters {
  static final long MINUTE_NANOS = 60_000_000_000L;

  final ReentrantLock lock = new ReentrantLock();
  private long requestsAt = Long.MIN_VALUE;
  private long tokensAt = Long.MIN_VALUE;

  /** The rates the arrival times were kept under; a changed limit rescales them. */
  private int rpmSeen;

  private long tpmSeen;
  private int inFlight;

  /**
   * Spend per slice of the budget's window, a ring whose newest slice ends at {@link #sliceEnd}.
   */
  private long[] slices = new long[1];

  private int newest;
  private Instant sliceEnd = Instant.MIN;
  private long reservedMicros;
  private boolean softAlerted;

  /**
   * A scope's counters as a shared store holds them (times in nanoseconds since the epoch; the
   * spend per slice of the budget's window, oldest first, or its sum alone as the newest), to word
   * a refusal and the headers as this process would.
   */
  static ScopeCounters of(
      LimitSpec spec,
      long requestsAt,
      long tokensAt,
      int inFlight,
      long reservedMicros,
      long[] spentBySlice,
      Instant now) {
    ScopeCounters counters = new ScopeCounters();
    counters.requestsAt = requestsAt;
    counters.tokensAt = tokensAt;
    counters.inFlight = inFlight;
    counters.reservedMicros = reservedMicros;
    counters.rpmSeen = spec.rpm().orElse(0);
    counters.tpmSeen = spec.tpm().orElse(0);
    spec.budget().ifPresent(budget -> counters.roll(budget, now));
    int length = counters.slices.length;
    for (int age = 0; age < Math.min(spentBySlice.length, length); age++) {
      counters.slices[Math.floorMod(counters.newest - age, length)] =
          spentBySlice[spentBySlice.length - 1 - age];
    }
    return counters;
  }

  /** Why this scope cannot take the charge now; changes nothing. */
  Optional<LimitRefusal> check(Scope scope, LimitSpec spec, Charge charge, Instant now) {
    long nanos = nanos(now);
    rescale(spec, nanos);
    if (spec.rpm().isPresent()) {
      long ahead = Math.max(requestsAt, nanos) + requestNanos(spec) - nanos;
      if (ahead > MINUTE_NANOS) {
        return Optional.of(
            refusal(
                ErrorKind.RATE_LIMITED,
                scope,
                "requests per minute",
                spec.rpm().getAsInt() + " requests per minute",
                "0 left",
                Duration.ofNanos(ahead - MINUTE_NANOS),
                "rate_limit_exceeded",
                headers(spec, now)));
      }
    }
    if (spec.tpm().isPresent()) {
      long tpm = spec.tpm().getAsLong();
      long cost = tokenNanos(charge.tokens(), tpm);
      long ahead = Math.max(tokensAt, nanos) + cost - nanos;
      if (ahead > MINUTE_NANOS) {
        String left = Math.max(0, remainingTokens(spec, nanos)) + " tokens left";
        Duration wait =
            cost > MINUTE_NANOS ? Duration.ofSeconds(60) : Duration.ofNanos(ahead - MINUTE_NANOS);
        return Optional.of(
            refusal(
                ErrorKind.RATE_LIMITED,
                scope,
                "tokens per minute",
                tpm + " tokens per minute",
                left + ", this request may use " + charge.tokens(),
                wait,
                "tokens_limit_exceeded",
                headers(spec, now)));
      }
    }
    if (spec.concurrent().isPresent() && inFlight >= spec.concurrent().getAsInt()) {
      return Optional.of(
          refusal(
              ErrorKind.RATE_LIMITED,
              scope,
              "requests at once",
              spec.concurrent().getAsInt() + " requests at once",
              "0 left",
              Duration.ofSeconds(1),
              "concurrency_limit_exceeded",
              headers(spec, now)));
    }
    if (spec.budget().isPresent()) {
      BudgetSpec budget = spec.budget().get();
      roll(budget, now);
      long limit = Charge.micros(budget.usd());
      long spent = spent();
      long over = spent + reservedMicros + charge.microUsd() - limit;
      if (over > 0) {
        return Optional.of(
            refusal(
                ErrorKind.BUDGET_EXHAUSTED,
                scope,
                "budget",
                usd(limit) + " " + budget.describe(),
                usd(spent)
                    + " spent and "
                    + usd(reservedMicros)
                    + " reserved, "
                    + usd(Math.max(0, limit - spent - reservedMicros))
                    + " left; this request may cost up to "
                    + usd(charge.microUsd()),
                Duration.between(now, released(budget, over)),
                "budget_exceeded",
                headers(spec, now)));
      }
    }
    return Optional.empty();
  }

  /** Takes the charge (after a {@link #check} that passed). */
  void reserve(LimitSpec spec, Charge charge, Instant now) {
    long nanos = nanos(now);
    rescale(spec, nanos);
    if (spec.rpm().isPresent()) {
      requestsAt = Math.max(requestsAt, nanos) + requestNanos(spec);
    }
    if (spec.tpm().isPresent()) {
      tokensAt = Math.max(tokensAt, nanos) + tokenNanos(charge.tokens(), spec.tpm().getAsLong());
    }
    if (spec.concurrent().isPresent()) {
      inFlight++;
    }
    if (spec.budget().isPresent()) {
      roll(spec.budget().get(), now);
      reservedMicros += charge.microUsd();
    }
  }

  /**
   * Replaces a reservation by what the request used; the alert when this spend crossed the budget's
   * soft threshold (once per period).
   */
  Optional<BudgetAlert> settle(
      Scope scope, LimitSpec spec, Charge reserved, Charge used, Instant now) {
    rescale(spec, nanos(now));
    if (spec.tpm().isPresent()) {
      long tpm = spec.tpm().getAsLong();
      tokensAt += tokenNanos(used.tokens(), tpm) - tokenNanos(reserved.tokens(), tpm);
    }
    if (spec.concurrent().isPresent()) {
      inFlight = Math.max(0, inFlight - 1);
    }
    if (spec.budget().isEmpty()) {
      return Optional.empty();
    }
    BudgetSpec budget = spec.budget().get();
    roll(budget, now);
    reservedMicros = Math.max(0, reservedMicros - reserved.microUsd());
    slices[newest] += used.microUsd();
    long spent = spent();
    if (!softAlerted && spent >= softThreshold(budget)) {
      softAlerted = true;
      return Optional.of(new BudgetAlert(scope, spent / 1e6, budget.usd(), released(budget, 1)));
    }
    return Optional.empty();
  }

  /**
   * A limit changed (a reload, an admin change): what was used of the old minute's allowance counts
   * against the new one, so a raised limit applies at once and a lowered one does not forgive what
   * was just used.
   */
  private void rescale(LimitSpec spec, long nanos) {
    int rpm = spec.rpm().orElse(0);
    if (rpm != rpmSeen) {
      if (rpmSeen > 0 && rpm > 0 && requestsAt > nanos) {
        requestsAt = nanos + (long) ((double) (requestsAt - nanos) * rpmSeen / rpm);
      }
      rpmSeen = rpm;
    }
    long tpm = spec.tpm().orElse(0);
    if (tpm != tpmSeen) {
      if (tpmSeen > 0 && tpm > 0 && tokensAt > nanos) {
        tokensAt = nanos + (long) ((double) (tokensAt - nanos) * tpmSeen / tpm);
      }
      tpmSeen = tpm;
    }
  }

  /**
   * Moves the window to {@code now}: slices that left it are emptied (all of a calendar period's
   * spend when the next period begins); reservations under way carry over. The soft alert may fire
   * again once a new period begins, or once a rolling window's spend is back under the threshold.
   */
  private void roll(BudgetSpec budget, Instant now) {
    if (slices.length != budget.slices()) { // the budget's window changed: its spend carries over
      long spent = spent();
      slices = new long[budget.slices()];
      newest = 0;
      slices[0] = spent;
    }
    Instant end = budget.sliceEnd(now);
    if (!end.isAfter(sliceEnd)) {
      return;
    }
    long passed =
        budget.rolling() && !sliceEnd.equals(Instant.MIN)
            ? Duration.between(sliceEnd, end).toMillis() / budget.sliceLength().toMillis()
            : slices.length;
    for (long i = 0; i < Math.min(passed, slices.length); i++) {
      newest = (newest + 1) % slices.length;
      slices[newest] = 0;
    }
    sliceEnd = end;
    if (!budget.rolling() || spent() < softThreshold(budget)) {
      softAlerted = false;
    }
  }

  private long spent() {
    long total = 0;
    for (long slice : slices) {
      total += slice;
    }
    return total;
  }

  /**
   * When at least {@code micros} of the spend counted now will have left the budget: the period's
   * end, or for a rolling window the end of the newest slice that must leave for that (the oldest
   * leaves when the current slice ends, the next one a slice later).
   */
  private Instant released(BudgetSpec budget, long micros) {
    if (!budget.rolling() || spent() == 0) {
      return sliceEnd;
    }
    long freed = 0;
    for (int age = 0; age < slices.length; age++) {
      freed += slices[(newest + 1 + age) % slices.length];
      if (freed >= micros) {
        return sliceEnd.plus(budget.sliceLength().multipliedBy(age));
      }
    }
    return sliceEnd.plus(budget.sliceLength().multipliedBy(slices.length - 1L));
  }

  private static long softThreshold(BudgetSpec budget) {
    return Charge.micros(budget.usd() * budget.soft());
  }

  /** OpenAI's rate-limit headers for this scope, and the budget's. */
  Map<String, String> headers(LimitSpec spec, Instant now) {
    return allowance(spec, now).headers();
  }

  /** What this scope has left of each of its limits. */
  Allowance allowance(LimitSpec spec, Instant now) {
    long nanos = nanos(now);
    rescale(spec, nanos);
    Allowance.Rate requests = null;
    if (spec.rpm().isPresent()) {
      long ahead = Math.max(0, requestsAt - nanos);
      requests =
          new Allowance.Rate(
              spec.rpm().getAsInt(),
              Math.max(0, (MINUTE_NANOS - ahead) / requestNanos(spec)),
              ahead);
    }
    Allowance.Rate tokens = null;
    if (spec.tpm().isPresent()) {
      tokens =
          new Allowance.Rate(
              spec.tpm().getAsLong(),
              Math.max(0, remainingTokens(spec, nanos)),
              Math.max(0, tokensAt - nanos));
    }
    Allowance.Budget money = null;
    if (spec.budget().isPresent()) {
      BudgetSpec budget = spec.budget().get();
      roll(budget, now);
      long limit = Charge.micros(budget.usd());
      money =
          new Allowance.Budget(
              limit, Math.max(0, limit - spent() - reservedMicros), released(budget, 1));
    }
    return new Allowance(requests, tokens, money);
  }

  /** The scope's state as {@code GET /v1/usage} shows it. */
  ScopeUsage usage(Scope scope, LimitSpec spec, Instant now) {
    spec.budget().ifPresent(budget -> roll(budget, now));
    return new ScopeUsage(
        scope,
        spec,
        spent(),
        reservedMicros,
        inFlight,
        spec.budget().map(budget -> released(budget, 1)),
        headers(spec, now));
  }

  private long remainingTokens(LimitSpec spec, long nanos) {
    long tpm = spec.tpm().getAsLong();
    long ahead = Math.max(0, tokensAt - nanos);
    return (long) ((double) (MINUTE_NANOS - ahead) / MINUTE_NANOS * tpm);
  }

  private static long requestNanos(LimitSpec spec) {
    return MINUTE_NANOS / spec.rpm().getAsInt();
  }

  private static long tokenNanos(long tokens, long tpm) {
    return (long) ((double) tokens * MINUTE_NANOS / tpm);
  }

  private static long nanos(Instant now) {
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static LimitRefusal refusal(
      ErrorKind kind,
      Scope scope,
      String what,
      String limit,
      String left,
      Duration wait,
      String code,
      Map<String, String> headers) {
    return new LimitRefusal(
        kind,
        "Limit reached for "
            + scope.id()
            + ": "
            + what
            + " (limit "
            + limit
            + "; "
            + left
            + "); retry in "
            + duration(wait.toNanos())
            + ".",
        scope,
        code,
        wait,
        headers);
  }

  /** A wait as OpenAI writes it: {@code 1m2.5s}, {@code 350ms}. */
  static String duration(long nanos) {
    long millis = Math.max(0, (nanos + 999_999) / 1_000_000);
    if (millis < 1_000) {
      return millis + "ms";
    }
    long minutes = millis / 60_000;
    long seconds = millis % 60_000 / 1_000;
    long fraction = millis % 1_000;
    StringBuilder text = new StringBuilder();
    if (minutes > 0) {
      text.append(minutes).append('m');
    }
    text.append(seconds);
    if (fraction > 0) {
      // Three digits, the trailing zeros dropped: 2.5s, 2.05s, 2.005s.
      String digits = Long.toString(1_000 + fraction).substring(1);
      int end = digits.length();
      while (digits.charAt(end - 1) == '0') {
        end--;
      }
      text.append('.').append(digits, 0, end);
    }
    return text.append('s').toString();
  }

  private static String usd(long micros) {
    return "$" + Charge.dollars(micros);
  }
}
