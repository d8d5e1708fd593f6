package dev.signalbox.api;

import java.util.Objects;

/**
 * One attempt at one deployment.
 *
 * @param result "ok", or the failure label: an HTTP status or connect, reset, timeout, malformed,
 *     cancelled
 * @param ttftMillis time to the first token or the whole answer, or -1 when none came
 * @param committed true when bytes of this attempt reached the client
 */
public record AttemptTrace(
    int index,
    String model,
    String deployment,
    String result,
    double ttftMillis,
    double durationMillis,
    boolean committed,
    String error) {
  public AttemptTrace {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(error, "error");
  }
}
