/**
 * The gateway as a whole: parsing requests, authenticating callers, routing, dispatching, relaying,
 * recording.
 */
@NullMarked
package dev.signalbox.core.gateway;

import org.jspecify.annotations.NullMarked;
