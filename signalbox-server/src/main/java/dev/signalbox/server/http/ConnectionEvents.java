package dev.signalbox.server.http;

/** What the HTTP layer tells about connections it closes on its own. */
@FunctionalInterface
public interface ConnectionEvents {
  ConnectionEvents NONE = reason -> {};

  /**
   * A connection was closed by the server, not by its client.
   *
   * @param reason {@code header_timeout}, {@code body_timeout}, {@code keep_alive_timeout}, {@code
   *     evicted}, {@code refused} or {@code bad_request}
   */
  void closed(String reason);
}
