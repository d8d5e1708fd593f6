/** Offline evaluation: the evaluator, its folds and splits. */
@NullMarked
package dev.signalbox.eval;

import org.jspecify.annotations.NullMarked;
