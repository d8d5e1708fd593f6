/** Evaluation metrics: bootstrap intervals, frontiers, RouteLLM's threshold metrics. */
@NullMarked
package dev.signalbox.eval.metrics;

import org.jspecify.annotations.NullMarked;
