/**
 * The gateway as a whole: parsing requests, authenticating callers, routing, dispatching, relaying,
 * recording.
 */
package dev.signalbox.core.gateway;
