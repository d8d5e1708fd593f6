/**
 * Wire records and the small extension interfaces of Signalbox: upstreams, policies, listeners,
 * trace sinks.
 */
package dev.signalbox.api;
