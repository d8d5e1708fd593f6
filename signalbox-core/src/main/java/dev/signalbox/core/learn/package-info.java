/**
 * What learned routes are fitted with and serve from: scorers (kNN, MF, logistic), training and
 * calibration, artifacts, bandit state and learners.
 */
@NullMarked
package dev.signalbox.core.learn;

import org.jspecify.annotations.NullMarked;
