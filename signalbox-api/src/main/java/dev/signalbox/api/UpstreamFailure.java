package dev.signalbox.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Why one attempt at a deployment failed. {@code status} is the upstream's HTTP status, or 0 when
 * no response arrived; {@code retryAfter} is what the upstream asked for, when it did.
 */
public record UpstreamFailure(
    Kind kind, int status, Optional<Duration> retryAfter, String message) {

  /** What went wrong, as far as the gateway can tell. */
  public enum Kind {
    /** The connection could not be opened. */
    CONNECT,
    /** The connection closed or reset before a complete answer. */
    RESET,
    /** No answer (or no first token) within the deadline. */
    TIMEOUT,
    /** The upstream answered with an error status. */
    HTTP_STATUS,
    /** The upstream answered something that is not the protocol: bad JSON, bad SSE. */
    MALFORMED,
    /** The call was cancelled because the client went away. */
    CANCELLED
  }

  public UpstreamFailure {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(message, "message");
  }

  public static UpstreamFailure of(Kind kind, String message) {
    return new UpstreamFailure(kind, 0, Optional.empty(), message);
  }

  public static UpstreamFailure status(int status, Optional<Duration> retryAfter, String message) {
    return new UpstreamFailure(Kind.HTTP_STATUS, status, retryAfter, message);
  }

  /** A short label for traces and metrics: the status code, or the kind in lower case. */
  public String label() {
    return kind == Kind.HTTP_STATUS
        ? Integer.toString(status)
        : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
