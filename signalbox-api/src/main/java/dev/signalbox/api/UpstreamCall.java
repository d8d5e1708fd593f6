package dev.signalbox.api;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One attempt's request to one deployment.
 *
 * @param upstreamModel the model id the provider knows
 * @param firstTokenTimeout when streaming, how long to wait for the response headers and the first
 *     chunk
 * @param idleTimeout the longest gap between two chunks of a stream
 * @param totalTimeout the time left for this attempt as a whole; a whole answer's headers, which
 *     come with it, wait this long
 * @param seed a per-attempt seed, so simulated upstreams are deterministic
 * @param clientHeaders the client's request headers (lower-case names) that an upstream of its own
 *     protocol passes on as sent ({@code anthropic-version}, {@code anthropic-beta}); no others
 * @param traceContext the W3C trace context headers every upstream sends ({@code traceparent},
 *     {@code tracestate}): the attempt's span when the gateway traces, else the client's as sent
 */
public record UpstreamCall(
    ChatRequest request,
    String upstreamModel,
    Duration firstTokenTimeout,
    Duration idleTimeout,
    Duration totalTimeout,
    long seed,
    Map<String, String> clientHeaders,
    Map<String, String> traceContext) {
  /** The headers a client's call may pass to an upstream that speaks the client's protocol. */
  public static final java.util.Set<String> PASSED_HEADERS =
      java.util.Set.of("anthropic-version", "anthropic-beta");

  public UpstreamCall(
      ChatRequest request,
      String upstreamModel,
      Duration firstTokenTimeout,
      Duration idleTimeout,
      Duration totalTimeout,
      long seed) {
    this(
        request,
        upstreamModel,
        firstTokenTimeout,
        idleTimeout,
        totalTimeout,
        seed,
        Map.of(),
        Map.of());
  }

  public UpstreamCall {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(upstreamModel, "upstreamModel");
    Objects.requireNonNull(firstTokenTimeout, "firstTokenTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(totalTimeout, "totalTimeout");
    Map<String, String> passed = new java.util.LinkedHashMap<>();
    clientHeaders.forEach(
        (name, value) -> {
          if (PASSED_HEADERS.contains(name)) {
            passed.put(name, value);
          }
        });
    clientHeaders = Map.copyOf(passed);
    traceContext = Map.copyOf(traceContext);
  }
}
