package dev.signalbox.core.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The {@code objective} policy's weights over predicted quality, cost, latency and energy, and its
 * hard limits. A preset fixes the weights; {@code weights} given beside it override its entries.
 *
 * @param maxCostUsd a candidate whose estimated cost is above it is not chosen
 * @param maxLatency a candidate whose predicted latency is above it is not chosen
 */
public record ObjectiveSpec(
    @Default("balanced") @OneOf({"quality", "balanced", "cost", "latency", "green"}) String preset,
    @Default("{}") Weights weights,
    @Range(min = 0, max = 1e6) OptionalDouble maxCostUsd,
    Optional<Duration> maxLatency) {

  /** Weights that override the preset's, each where given. */
  public record Weights(
      @Range(min = 0, max = 1e6) OptionalDouble quality,
      @Range(min = 0, max = 1e6) OptionalDouble cost,
      @Range(min = 0, max = 1e6) OptionalDouble latency,
      @Range(min = 0, max = 1e6) OptionalDouble energy) {
    public static final Weights NONE =
        new Weights(
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            OptionalDouble.empty());

    boolean none() {
      return quality.isEmpty() && cost.isEmpty() && latency.isEmpty() && energy.isEmpty();
    }
  }

  /** quality, cost, latency and energy weights per preset. */
  private static final Map<String, double[]> PRESETS =
      Map.of(
          "quality", new double[] {1, 0.05, 0.02, 0},
          "balanced", new double[] {1, 0.3, 0.1, 0.05},
          "cost", new double[] {1, 1, 0.05, 0},
          "latency", new double[] {1, 0.1, 0.6, 0},
          "green", new double[] {1, 0.2, 0.05, 0.6});

  public static final ObjectiveSpec BALANCED = preset("balanced");

  /** A preset's weights, without limits. */
  public static ObjectiveSpec preset(String name) {
    if (!PRESETS.containsKey(name)) {
      throw new IllegalArgumentException(
          "no preset '" + name + "' (known: " + PRESETS.keySet() + ")");
    }
    return new ObjectiveSpec(name, Weights.NONE, OptionalDouble.empty(), Optional.empty());
  }

  private double preset(int term) {
    return PRESETS.get(preset)[term];
  }

  public double quality() {
    return weights.quality().orElse(preset(0));
  }

  public double cost() {
    return weights.cost().orElse(preset(1));
  }

  public double latency() {
    return weights.latency().orElse(preset(2));
  }

  public double energy() {
    return weights.energy().orElse(preset(3));
  }

  /** The preset, marked when weights override it: what a decision's reason names. */
  public String label() {
    return weights.none() ? preset : preset + "+weights";
  }

  public OptionalDouble maxLatencyMillis() {
    return maxLatency.map(d -> OptionalDouble.of(d.toNanos() / 1e6)).orElse(OptionalDouble.empty());
  }

  /** The same objective with another cost weight, as {@code eval} sweeps it. */
  public ObjectiveSpec withCostWeight(double weight) {
    return new ObjectiveSpec(
        preset,
        new Weights(
            OptionalDouble.of(quality()),
            OptionalDouble.of(weight),
            OptionalDouble.of(latency()),
            OptionalDouble.of(energy())),
        maxCostUsd,
        maxLatency);
  }
}
