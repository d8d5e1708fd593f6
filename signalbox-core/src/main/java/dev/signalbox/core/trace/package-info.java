/**
 * Decision traces: canonical JSON, the bounded queue that writes them off the hot path, the stores.
 */
package dev.signalbox.core.trace;
