package dev.signalbox.api;

import java.util.List;
import java.util.Objects;

/**
 * One stage of a cascade: the model asked, how many of its answers came back, what each check
 * found, and whether its answer was served or the request went on to the next stage.
 *
 * @param stage 1 for the cheapest model
 * @param samples the answers asked of this stage
 * @param answered the answers that came back
 * @param verdict {@code accepted} (its answer was served), {@code escalated} (a check failed),
 *     {@code failed} (no answer came back), {@code final} (the last stage, served unchecked) or
 *     {@code unverified} (served although a check failed, because every later stage failed)
 * @param checks each check's finding, e.g. {@code regex '####': pass}
 * @param usage the tokens of every answer this stage gave
 * @param costUsd what those answers cost
 */
public record CascadeStepTrace(
    int stage,
    String model,
    int samples,
    int answered,
    String verdict,
    List<String> checks,
    Usage usage,
    double costUsd) {
  public CascadeStepTrace {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(verdict, "verdict");
    checks = List.copyOf(checks);
    Objects.requireNonNull(usage, "usage");
  }
}
