package dev.signalbox.eval.metrics;

/**
 * One operating point of a policy.
 *
 * @param strongShare the share of calls to the strong model (two-model data), else NaN
 * @param cost mean cost per prompt in USD
 */
public record CurvePoint(String label, double strongShare, double cost, double quality) {}
