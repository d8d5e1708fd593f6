package dev.signalbox.api;

/**
 * One provider endpoint. Implementations never throw for upstream faults: they return {@link
 * UpstreamReply.Failed}. They honour the call's timeouts themselves.
 */
public interface Upstream extends AutoCloseable {
  /** Sends the call; streams when {@code call.request().stream()} is true. */
  UpstreamReply send(UpstreamCall call) throws InterruptedException;

  @Override
  default void close() {}
}
