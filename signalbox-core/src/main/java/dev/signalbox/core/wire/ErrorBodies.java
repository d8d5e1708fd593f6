package dev.signalbox.core.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;

/** OpenAI's error body: {"error": {"message", "type", "param", "code"}}. */
public final class ErrorBodies {
  private ErrorBodies() {}

  public static ObjectNode of(SignalboxException e) {
    return error(e.kind(), e.getMessage(), e.param().orElse(null), e.code().orElse(null));
  }

  public static ObjectNode error(ErrorKind kind, String message, String param, String code) {
    ObjectNode body = Json.object();
    ObjectNode error = body.putObject("error");
    error.put("message", message);
    error.put("type", kind.openAiType());
    if (param == null) {
      error.putNull("param");
    } else {
      error.put("param", param);
    }
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    return body;
  }
}
