/**
 * OpenTelemetry: each request as a server span with a client span per attempt, named and attributed
 * by the GenAI semantic conventions, the GenAI metrics, and OTLP export batched off the request
 * path. The client's W3C trace context is continued and each attempt's is passed to its upstream.
 */
@NullMarked
package dev.signalbox.core.telemetry;

import org.jspecify.annotations.NullMarked;
