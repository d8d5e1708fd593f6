package dev.signalbox.core.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * What went wrong with an upstream, in words a client may read: a JSON parser's own message without
 * its source excerpt or its classes, a missing message replaced by what the exception means.
 */
final class Causes {
  private Causes() {}

  static String of(Throwable e) {
    if (e instanceof JsonProcessingException json) {
      String reason =
          firstLine(json.getOriginalMessage()).replaceAll("\\s*\\([^)]*`[^`]*`[^)]*\\)", "");
      return json.getLocation() == null
          ? reason
          : reason
              + " (line "
              + json.getLocation().getLineNr()
              + ", column "
              + json.getLocation().getColumnNr()
              + ")";
    }
    String message = e.getMessage();
    if (message != null && !message.isBlank() && !message.equals("null")) {
      return firstLine(message);
    }
    if (e instanceof EOFException) {
      return "the connection ended early";
    }
    if (e instanceof SocketTimeoutException) {
      return "the socket timed out";
    }
    if (e instanceof SocketException) {
      return "the connection was reset";
    }
    return e.getCause() != null ? of(e.getCause()) : "no detail given";
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return (newline < 0 ? text : text.substring(0, newline)).trim();
  }
}
