package dev.signalbox.api;

import java.util.Optional;

/**
 * The one root exception of Signalbox: a kind, a message that names the value, and OpenAI's param
 * and code.
 */
public class SignalboxException extends RuntimeException {
  private final ErrorKind kind;
  private final String param;
  private final String code;

  public SignalboxException(ErrorKind kind, String message) {
    this(kind, message, null, null);
  }

  public SignalboxException(ErrorKind kind, String message, String param, String code) {
    super(message);
    this.kind = kind;
    this.param = param;
    this.code = code;
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
}
