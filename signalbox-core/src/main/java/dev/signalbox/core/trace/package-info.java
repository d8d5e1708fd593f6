/**
 * Decision traces: canonical JSON, the bounded queue that writes them off the hot path, the stores.
 */
@NullMarked
package dev.signalbox.core.trace;

import org.jspecify.annotations.NullMarked;
