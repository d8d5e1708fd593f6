package dev.signalbox.api;

import java.util.Objects;

/**
 * One candidate model of a decision: excluded (with the reason) or scored by the policy.
 *
 * @param excluded why an eligibility filter removed it, or "" when eligible
 * @param score the policy's score, NaN when the policy did not score it
 */
public record CandidateTrace(String model, String excluded, double score, String reason) {
  public CandidateTrace {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(excluded, "excluded");
    Objects.requireNonNull(reason, "reason");
  }
}
