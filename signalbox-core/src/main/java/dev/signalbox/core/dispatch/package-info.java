/** Walking a plan: attempts, fallback, backoff, the streaming commit boundary, live pool state. */
@NullMarked
package dev.signalbox.core.dispatch;

import org.jspecify.annotations.NullMarked;
