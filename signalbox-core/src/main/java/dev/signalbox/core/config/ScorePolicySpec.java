package dev.signalbox.core.config;

/** The {@code score} policy: a threshold on a score the request brings in a header. */
public record ScorePolicySpec(
    @WhenMissing("the score policy needs {strong, weak, value, score}") ThresholdSpec threshold)
    implements PolicySpec {
  /** The threshold a score route uses when the config gives none. */
  public static final double DEFAULT_VALUE = 0.5;

  @Override
  public void check(RouteCheck check) {
    threshold.checkModels(check);
  }
}
