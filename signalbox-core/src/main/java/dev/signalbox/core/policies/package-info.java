/**
 * The built-in routing policies, each with its provider: priority, cheapest, weighted, score,
 * rules, and the learned threshold, objective and bandit. Pure: no clock, no I/O.
 */
@NullMarked
package dev.signalbox.core.policies;

import org.jspecify.annotations.NullMarked;
