package dev.signalbox.server.http;

import java.time.Duration;

/**
 * What the HTTP layer allows a client.
 *
 * @param maxConnections open connections beyond which a new one closes the longest-waiting idle one
 * @param maxBodyBytes the largest body read (413 beyond it)
 * @param headerTimeout the time to send a request's line and headers
 * @param bodyTimeout the time to send its body once the headers are in
 * @param keepAliveTimeout how long an idle connection stays open between requests
 */
public record ServerLimits(
    int maxConnections,
    long maxBodyBytes,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration keepAliveTimeout) {
  /** The longest request line (method, path and query) read; 414 beyond it. */
  public static final int MAX_REQUEST_LINE = 8_192;

  /** The most header bytes read; 431 beyond it. */
  public static final int MAX_HEADER_BYTES = 16_384;
}
