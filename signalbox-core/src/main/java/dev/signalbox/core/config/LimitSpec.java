package dev.signalbox.core.config;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The limits of one scope (a key, a team, a tenant, each end user): requests and tokens per minute
 * (a generic cell rate, so a burst of a minute's allowance is allowed and then the rate holds, with
 * no window edge to double it), requests under way at once, and a USD budget per period.
 *
 * @param tpm prompt plus output tokens per minute; a request reserves its prompt and its maximum
 *     output, and is settled to what it used
 * @param failOpen with the shared state store unreachable, whether this scope lets requests through
 *     unchecked; {@code limits.fail-open} when absent
 */
public record LimitSpec(
    @Range(min = 1, max = 100_000_000) OptionalInt rpm,
    @Range(min = 1, max = 1_000_000_000_000L) OptionalLong tpm,
    @Range(min = 1, max = 1_000_000) OptionalInt concurrent,
    Optional<BudgetSpec> budget,
    Optional<Boolean> failOpen) {
  public static final LimitSpec NONE =
      new LimitSpec(
          OptionalInt.empty(),
          OptionalLong.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          Optional.empty());

  public boolean limitsAnything() {
    return rpm.isPresent() || tpm.isPresent() || concurrent.isPresent() || budget.isPresent();
  }
}
