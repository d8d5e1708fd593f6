/**
 * The pool's live state: load, latency, circuit breakers and their transitions, and the probes that
 * read deployments' own metrics and health.
 */
@NullMarked
package dev.signalbox.core.pool;

import org.jspecify.annotations.NullMarked;
