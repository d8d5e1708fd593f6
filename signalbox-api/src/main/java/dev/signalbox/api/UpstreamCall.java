package dev.signalbox.api;

import java.time.Duration;
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
 */
public record UpstreamCall(
    ChatRequest request,
    String upstreamModel,
    Duration firstTokenTimeout,
    Duration idleTimeout,
    Duration totalTimeout,
    long seed) {
  public UpstreamCall {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(upstreamModel, "upstreamModel");
    Objects.requireNonNull(firstTokenTimeout, "firstTokenTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(totalTimeout, "totalTimeout");
  }
}
