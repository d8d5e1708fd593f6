package dev.signalbox.core.limits;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import java.time.Duration;
import java.util.Map;

/**
 * A request refused by a limit: the message names the scope, the limit, what remains and when it
 * resets; the headers say the same to programs ({@code x-ratelimit-*}), and {@code Retry-After}
 * when to come back.
 */
public final class LimitRefusal extends SignalboxException {
  private final Scope scope;
  private final Map<String, String> headers;

  public LimitRefusal(
      ErrorKind kind,
      String message,
      Scope scope,
      String code,
      Duration retryAfter,
      Map<String, String> headers) {
    super(kind, message, scope.id(), code, retryAfter);
    this.scope = scope;
    this.headers = Map.copyOf(headers);
  }

  public Scope scope() {
    return scope;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
