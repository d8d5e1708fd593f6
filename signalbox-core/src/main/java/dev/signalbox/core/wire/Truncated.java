package dev.signalbox.core.wire;

/**
 * Client-sent text cut to size before it is echoed in an error, logged or traced, with its length
 * said: a megabyte of model name costs a line, not a megabyte.
 */
public final class Truncated {
  /** What error messages and traces keep of a value a client sent. */
  public static final int DEFAULT_LIMIT = 200;

  private Truncated() {}

  public static String of(String text) {
    return of(text, DEFAULT_LIMIT);
  }

  public static String of(String text, int limit) {
    if (text.length() <= limit) {
      return text;
    }
    int cut = Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
    return text.substring(0, cut) + "... (" + text.length() + " characters)";
  }
}
