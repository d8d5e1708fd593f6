package dev.signalbox.core.config;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * The {@code objective} policy's weights over predicted quality, cost, latency and energy, and its
 * hard limits. Presets fix the weights; {@code weights} given beside a preset override its entries.
 *
 * @param preset the preset the weights came from, for the trace
 * @param maxCostUsd a candidate whose estimated cost is above it is not chosen
 * @param maxLatencyMillis a candidate whose predicted latency is above it is not chosen
 */
public record ObjectiveSpec(
    String preset,
    double quality,
    double cost,
    double latency,
    double energy,
    OptionalDouble maxCostUsd,
    OptionalDouble maxLatencyMillis) {
  public static final Map<String, ObjectiveSpec> PRESETS =
      Map.of(
          "quality", of("quality", 1, 0.05, 0.02, 0),
          "balanced", of("balanced", 1, 0.3, 0.1, 0.05),
          "cost", of("cost", 1, 1, 0.05, 0),
          "latency", of("latency", 1, 0.1, 0.6, 0),
          "green", of("green", 1, 0.2, 0.05, 0.6));
  public static final ObjectiveSpec BALANCED = PRESETS.get("balanced");

  private static ObjectiveSpec of(
      String preset, double quality, double cost, double latency, double energy) {
    return new ObjectiveSpec(
        preset, quality, cost, latency, energy, OptionalDouble.empty(), OptionalDouble.empty());
  }
}
