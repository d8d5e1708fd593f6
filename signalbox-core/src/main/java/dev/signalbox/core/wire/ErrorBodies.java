package dev.signalbox.core.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import org.jspecify.annotations.Nullable;

/** OpenAI's error body, as a tree to send: see {@link Completions.ErrorBody}. */
public final class ErrorBodies {
  private ErrorBodies() {}

  public static ObjectNode of(SignalboxException e) {
    return Completions.ErrorBody.of(e).json();
  }

  public static ObjectNode error(
      ErrorKind kind, String message, @Nullable String param, @Nullable String code) {
    return Completions.ErrorBody.of(kind, message, param, code).json();
  }
}
