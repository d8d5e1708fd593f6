/**
 * Wire records and the small extension interfaces of Signalbox: upstreams, policies, listeners,
 * trace sinks.
 */
@NullMarked
package dev.signalbox.api;

import org.jspecify.annotations.NullMarked;
