package dev.signalbox.eval.replay;

import java.util.Map;
import java.util.Objects;

/**
 * One recorded decision with its observed reward, as off-policy estimation needs it.
 *
 * @param features the request's numeric signals, for the reward model
 * @param action the model the logging policy chose
 * @param propensity the probability with which the logging policy chose it
 * @param probabilities the logging policy's probability of each candidate where known (replaying
 *     the logging policy gives them); empty when only the chosen one's is known
 * @param reward the observed reward (feedback score, or the outcome's quality)
 */
public record LoggedDecision(
    double[] features,
    String action,
    double propensity,
    Map<String, Double> probabilities,
    double reward) {
  public LoggedDecision {
    Objects.requireNonNull(features);
    Objects.requireNonNull(action);
    probabilities = Map.copyOf(probabilities);
    if (!(propensity > 0 && propensity <= 1)) {
      throw new IllegalArgumentException(
          "a logged propensity must be in (0, 1], was " + propensity);
    }
  }

  /**
   * The logging policy's probability of {@code other}; 0 when it chose deterministically and not
   * {@code other}.
   */
  public double probabilityOf(String other) {
    if (other.equals(action)) {
      return propensity;
    }
    Double known = probabilities.get(other);
    if (known != null) {
      return known;
    }
    return propensity >= 1 ? 0 : Double.NaN;
  }
}
