package dev.signalbox.server.http;

import java.util.Map;
import java.util.Optional;

/**
 * One request, read whole.
 *
 * @param path the path without its query
 * @param headers by lower-case name; a repeated header's values joined with ", "
 * @param loopback whether the client connected from a loopback address
 * @param receivedNanos {@link System#nanoTime()} when its last byte arrived
 */
public record HttpCall(
    String method,
    String path,
    String query,
    Map<String, String> headers,
    byte[] body,
    boolean loopback,
    long receivedNanos) {
  public HttpCall {
    headers = Map.copyOf(headers);
  }

  public Optional<String> header(String lowerCaseName) {
    return Optional.ofNullable(headers.get(lowerCaseName));
  }
}
