/**
 * Cascades: a cheap model answers first, checks judge its answer, and only an answer that fails
 * them goes on to a stronger model. {@link dev.signalbox.core.cascade.AnswerChecks} is the pure
 * judge, shared by serving and offline evaluation; {@link
 * dev.signalbox.core.dispatch.CascadeRunner} walks the stages through the dispatcher.
 */
@NullMarked
package dev.signalbox.core.cascade;

import org.jspecify.annotations.NullMarked;
