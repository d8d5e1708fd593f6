package dev.signalbox.core.trace;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;

/** Where {@code POST /v1/feedback} puts what callers say of answers. */
@FunctionalInterface
public interface FeedbackStore {
  /** Used when traces are off: there is nothing to attach feedback to. */
  FeedbackStore DISABLED =
      (feedback, tenant) -> {
        throw new SignalboxException(
            ErrorKind.NOT_FOUND,
            "Feedback needs traces; this gateway records none (traces.enabled: false).",
            null,
            "feedback_disabled");
      };

  /**
   * Keeps the feedback with the trace of its request.
   *
   * @param tenant the caller's tenant; only a request of the same tenant can be judged
   * @return whether it was the request's first feedback
   * @throws SignalboxException a 400 when no request of that id and tenant was recorded
   */
  TraceStore.Kept record(Feedback feedback, String tenant) throws InterruptedException;
}
