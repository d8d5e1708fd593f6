/**
 * The HTTP face of the gateway: OpenAI's wire format, SSE relay, health, metrics and admin
 * endpoints.
 */
package dev.signalbox.server;
