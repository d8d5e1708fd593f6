package dev.signalbox.core.limits;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a scope has left of each of its limits, as numbers: its requests and tokens per minute
 * (OpenAI's {@code x-ratelimit-*} headers) and its budget. A request under several scopes tells its
 * client the tightest of each, so allowances are combined as numbers and written as headers once.
 *
 * @param requests requests per minute, or null without that limit
 * @param tokens tokens per minute, or null
 * @param budget the budget in micro-dollars, or null
 */
record Allowance(Rate requests, Rate tokens, Budget budget) {
  static final Allowance NONE = new Allowance(null, null, null);

  /** A rate limit: its size, what is left of it, and nanoseconds until it is whole again. */
  record Rate(long limit, long remaining, long resetNanos) {}

  /** A budget: its size and what is left, in micro-dollars, and when it resets. */
  record Budget(long limitMicros, long remainingMicros, Instant resets) {}

  /** Per limit, whichever of the two has less left (this one's on a tie). */
  Allowance tightest(Allowance other) {
    return new Allowance(
        tighter(requests, other.requests),
        tighter(tokens, other.tokens),
        budget == null
                || other.budget != null && other.budget.remainingMicros() < budget.remainingMicros()
            ? other.budget
            : budget);
  }

  private static Rate tighter(Rate a, Rate b) {
    return a == null || b != null && b.remaining() < a.remaining() ? b : a;
  }

  /** OpenAI's rate-limit headers, and the budget's. */
  Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    if (requests != null) {
      headers.put("x-ratelimit-limit-requests", Long.toString(requests.limit()));
      headers.put("x-ratelimit-remaining-requests", Long.toString(requests.remaining()));
      headers.put("x-ratelimit-reset-requests", ScopeCounters.duration(requests.resetNanos()));
    }
    if (tokens != null) {
      headers.put("x-ratelimit-limit-tokens", Long.toString(tokens.limit()));
      headers.put("x-ratelimit-remaining-tokens", Long.toString(tokens.remaining()));
      headers.put("x-ratelimit-reset-tokens", ScopeCounters.duration(tokens.resetNanos()));
    }
    if (budget != null) {
      headers.put("x-signalbox-budget-limit-usd", Charge.dollars(budget.limitMicros()));
      headers.put("x-signalbox-budget-remaining-usd", Charge.dollars(budget.remainingMicros()));
      headers.put("x-signalbox-budget-reset", budget.resets().toString());
    }
    return headers;
  }
}
