package dev.signalbox.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * OpenTelemetry: a span per request and per attempt, and the GenAI metrics, exported over OTLP
 * (HTTP/protobuf). Off unless {@code enabled}; where the endpoint, headers or service name are not
 * given here, the standard {@code OTEL_EXPORTER_OTLP_*} and {@code OTEL_SERVICE_NAME} variables
 * apply, and {@code OTEL_SDK_DISABLED=true} turns it off.
 *
 * @param endpoint the collector's base URL; {@code /v1/traces} and {@code /v1/metrics} are added
 *     (default {@code http://localhost:4318})
 * @param headers sent with every export (a collector's API key)
 * @param captureContent put the prompt and the answer on the request span ({@code
 *     gen_ai.input.messages}, {@code gen_ai.output.messages}), as the GenAI conventions allow only
 *     when asked
 * @param sampleRatio the share of requests traced, unless the client's trace context says it is
 *     sampled
 * @param exportInterval how long spans gather before a batch is sent, and the metrics' period
 */
public record TelemetrySettings(
    @Default("false") boolean enabled,
    @HttpUrl Optional<URI> endpoint,
    Map<String, String> headers,
    Optional<String> serviceName,
    @Default("false") boolean captureContent,
    @Default("1.0") @Range(min = 0, max = 1) double sampleRatio,
    @Default("1s") Duration exportInterval) {
  public static final TelemetrySettings OFF =
      new TelemetrySettings(
          false, Optional.empty(), Map.of(), Optional.empty(), false, 1.0, Duration.ofSeconds(1));

  public TelemetrySettings {
    headers = Map.copyOf(headers);
  }
}
