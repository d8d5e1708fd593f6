/**
 * The HTTP face of the gateway: OpenAI's wire format, SSE relay, health, metrics and admin
 * endpoints.
 */
@NullMarked
package dev.signalbox.server;

import org.jspecify.annotations.NullMarked;
