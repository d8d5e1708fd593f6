/** Walking a plan: attempts, fallback, backoff, the streaming commit boundary, live pool state. */
package dev.signalbox.core.dispatch;
