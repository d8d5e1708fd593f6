/**
 * Replay of recorded traffic: decisions again under their config, and counterfactual configs with
 * off-policy estimates.
 */
@NullMarked
package dev.signalbox.eval.replay;

import org.jspecify.annotations.NullMarked;
