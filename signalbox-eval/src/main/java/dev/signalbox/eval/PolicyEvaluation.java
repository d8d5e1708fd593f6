package dev.signalbox.eval;

import dev.signalbox.eval.metrics.CurvePoint;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one policy scored on the test prompts. Costs are in USD; a metric that does not apply is
 * NaN.
 *
 * @param shares the share of calls per model at the configured setting
 * @param latencyMs mean recorded latency of the chosen outcomes, NaN where the data has none
 * @param points the operating points along the policy's knob (the configured one included)
 * @param frontier the non-decreasing concave hull of the points, {cost, quality}
 * @param randomAtCost the random mix's quality at this policy's cost
 */
public record PolicyEvaluation(
    String name,
    String kind,
    int prompts,
    double quality,
    double qualityLow,
    double qualityHigh,
    double costUsd,
    double costPerPrompt,
    Map<String, Double> shares,
    double latencyMs,
    List<CurvePoint> points,
    List<double[]> frontier,
    double aiq,
    double apgr,
    double cpt50,
    double cpt80,
    double costTo95,
    double costTo100,
    double randomAtCost) {

  public PolicyEvaluation {
    shares = Collections.unmodifiableMap(new LinkedHashMap<>(shares));
    points = List.copyOf(points);
    frontier = List.copyOf(frontier);
  }

  /** The settings its knob was swept over (the points after the configured one); 0 without one. */
  public int sweepRequested() {
    return Math.max(0, points.size() - 1);
  }

  /**
   * How many of the swept settings gave a point of their own (a distinct cost and quality): a
   * coarse score collapses many settings onto few points.
   */
  public int sweepDistinct() {
    return (int)
        points.stream().skip(1).map(p -> List.of(p.cost(), p.quality())).distinct().count();
  }

  public PolicyEvaluation withRandomAtCost(double quality) {
    return new PolicyEvaluation(
        name,
        kind,
        prompts,
        this.quality,
        qualityLow,
        qualityHigh,
        costUsd,
        costPerPrompt,
        shares,
        latencyMs,
        points,
        frontier,
        aiq,
        apgr,
        cpt50,
        cpt80,
        costTo95,
        costTo100,
        quality);
  }
}
