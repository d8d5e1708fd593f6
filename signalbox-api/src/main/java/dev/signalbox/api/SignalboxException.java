package dev.signalbox.api;

import java.time.Duration;
import java.util.Optional;

/**
 * The one root exception of Signalbox: a kind, a message that names the value, OpenAI's param and
 * code, and, for a refusal the client should retry later, how long to wait ({@code Retry-After}).
 */
public class SignalboxException extends RuntimeException {
  private final ErrorKind kind;
  private final String param;
  private final String code;
  private final Duration retryAfter;

  public SignalboxException(ErrorKind kind, String message) {
    this(kind, message, null, null);
  }

  public SignalboxException(ErrorKind kind, String message, String param, String code) {
    this(kind, message, param, code, null);
  }

  public SignalboxException(
      ErrorKind kind, String message, String param, String code, Duration retryAfter) {
    super(message);
    this.kind = kind;
    this.param = param;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public static SignalboxException invalid(String param, String message) {
    return new SignalboxException(ErrorKind.INVALID_REQUEST, message, param, "invalid_value");
  }

  public ErrorKind kind() {
    return kind;
  }

  public Optional<String> param() {
    return Optional.ofNullable(param);
  }

  public Optional<String> code() {
    return Optional.ofNullable(code);
  }

  /** How long the client should wait before trying again, when the refusal says. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The {@code Retry-After} header's value: whole seconds, rounded up. */
  public Optional<String> retryAfterHeader() {
    return retryAfter().map(wait -> Long.toString(Math.max(1, (wait.toMillis() + 999) / 1_000)));
  }
}
