/**
 * Policies as the evaluator runs them: routes of a policies file decided by the gateway's router,
 * baselines, and knobs.
 */
@NullMarked
package dev.signalbox.eval.policy;

import org.jspecify.annotations.NullMarked;
