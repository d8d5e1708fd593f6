package dev.signalbox.core.wire;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.util.regex.Pattern;

/**
 * What went wrong in a JSON body, in words for the client: where, and what, without the parser's
 * class names, hints or an echo of more than a little of what was sent.
 */
final class JsonErrors {
  /** Jackson's advice to its own users, in parentheses or after a newline. */
  private static final Pattern PARSER_HINTS =
      Pattern.compile(
          "\\s*\\((?:StreamReadConstraints|JsonReadFeature|JsonParser\\.Feature|for Object starting"
              + "|for Array starting|code \\d+)[^)]*\\)|\\n.*",
          Pattern.DOTALL);

  private JsonErrors() {}

  static String describe(JsonProcessingException e) {
    String what =
        e instanceof StreamConstraintsException ? limit(e) : plain(e.getOriginalMessage());
    JsonLocation at = e.getLocation();
    return at == null || at.getLineNr() < 0
        ? what
        : what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  private static String limit(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    StreamReadConstraints defaults = StreamReadConstraints.defaults();
    if (message.contains("nesting depth")) {
      return "the JSON is nested more than " + defaults.getMaxNestingDepth() + " levels deep";
    }
    if (message.contains("Number value length")) {
      return "a number is longer than " + defaults.getMaxNumberLength() + " digits";
    }
    if (message.contains("String value length")) {
      return "a string is longer than " + defaults.getMaxStringLength() + " characters";
    }
    if (message.contains("Document length")) {
      return "the document is too long";
    }
    if (message.contains("Property name length") || message.contains("Name length")) {
      return "a key is longer than " + defaults.getMaxNameLength() + " characters";
    }
    return "the JSON exceeds a size limit";
  }

  private static String plain(String message) {
    if (message == null) {
      return "malformed JSON";
    }
    if (message.startsWith("Trailing token")) {
      return "there is more after the JSON value (trailing data)";
    }
    if (message.contains("`com.fasterxml") || message.contains("`java.")) {
      return "malformed JSON";
    }
    String cleaned =
        PARSER_HINTS
            .matcher(message)
            .replaceAll("")
            .replace("Unexpected character", "unexpected character")
            .replaceAll("\\p{Cntrl}", "?");
    return Truncated.of(cleaned.trim(), 160);
  }
}
