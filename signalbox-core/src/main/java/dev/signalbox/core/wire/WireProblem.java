package dev.signalbox.core.wire;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import java.util.function.Function;

/**
 * A value of a request that a wire record refuses, raised while binding; the parser turns it into a
 * 400 whose message and {@code param} name the value's JSON path ({@code messages[2].role}), which
 * only the parser knows whole.
 */
final class WireProblem extends RuntimeException {
  private final String key;
  private final String code;
  private final Function<String, String> message;

  /**
   * @param key the value's key below the record that refused it ("" for the record itself)
   * @param message the message, given the value's full path
   */
  WireProblem(String key, String code, Function<String, String> message) {
    super(code, null, false, false);
    this.key = key;
    this.code = code;
    this.message = message;
  }

  static WireProblem missing(String key) {
    return new WireProblem(
        key, "missing_required_parameter", path -> "Missing required parameter: '" + path + "'.");
  }

  static WireProblem invalidType(String key, String expected, String got) {
    return new WireProblem(
        key,
        "invalid_type",
        path ->
            "Invalid type for '"
                + path
                + "': expected "
                + expected
                + ", but got "
                + got
                + " instead.");
  }

  static WireProblem invalid(String key, Function<String, String> message) {
    return new WireProblem(key, "invalid_value", message);
  }

  String key() {
    return key;
  }

  SignalboxException at(String path) {
    return new SignalboxException(ErrorKind.INVALID_REQUEST, message.apply(path), path, code);
  }
}
