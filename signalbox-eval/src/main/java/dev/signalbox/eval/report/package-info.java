/** Evaluation reports: table, JSON, HTML with charts. */
@NullMarked
package dev.signalbox.eval.report;

import org.jspecify.annotations.NullMarked;
