package dev.signalbox.eval.replay;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What another config would have done with recorded traffic.
 *
 * @param replayed requests the config decided (the others are in {@code skipped}, by reason)
 * @param changed replayed requests whose first model differs from the recorded one
 * @param transitions "recorded -> new" first-model pairs of the changed requests, with counts
 * @param priced requests served in the recording (their token counts price both sides)
 * @param modelledLatencies plan steps on deployments the recording never saw succeed
 * @param estimate off-policy estimates of the mean feedback, when there is feedback and no refusal
 * @param refusal why no estimate is given, or ""
 * @param limited the replayed requests the config's limits would have refused, by the scope that
 *     refused them (they stay in the other counts, as recorded)
 */
public record CounterfactualReport(
    String config,
    int traces,
    int replayed,
    Map<String, Integer> skipped,
    int changed,
    Map<String, Integer> transitions,
    int priced,
    double recordedCostUsd,
    double replayedCostUsd,
    Side recorded,
    Side replay,
    int modelledLatencies,
    long sloMillis,
    int withFeedback,
    double recordedMeanFeedback,
    int matchedWithFeedback,
    double matchedMeanFeedback,
    Optional<OffPolicyEstimator.Result> estimate,
    String refusal,
    Map<String, Limited> limited) {

  /**
   * The requests one scope would have refused: how many, the first one's code and time, and what
   * they cost as recorded.
   */
  public record Limited(int requests, String code, Instant first, double recordedCostUsd) {}

  /** Counts over the replayed requests, for the recording and for the new config. */
  public record Side(
      int fallbacks, int failures, int sloMisses, double p50Millis, double p95Millis) {}

  public double costDeltaUsd() {
    return replayedCostUsd - recordedCostUsd;
  }
}
