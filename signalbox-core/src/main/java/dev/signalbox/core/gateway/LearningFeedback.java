package dev.signalbox.core.gateway;

import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.FeedbackStore;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceRecorder;
import dev.signalbox.core.trace.TraceStore;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Feedback kept with its trace and taught to the route that decided the request, once: a request's
 * first feedback teaches; later ones (a new score from the same source, or another source's)
 * replace or join what is stored, and teach nothing, so that no request can push a learner twice.
 */
public final class LearningFeedback implements FeedbackStore {
  private static final Logger LOG = Logger.getLogger(LearningFeedback.class.getName());

  private final TraceRecorder recorder;
  private final BiConsumer<DecisionTrace, Double> learner;

  /**
   * @param learner teaches a decision's route its score ({@link Gateway#learn})
   */
  public LearningFeedback(TraceRecorder recorder, BiConsumer<DecisionTrace, Double> learner) {
    this.recorder = recorder;
    this.learner = learner;
  }

  @Override
  public TraceStore.Kept record(Feedback feedback, String tenant) throws InterruptedException {
    TraceStore.Kept kept = recorder.record(feedback, tenant);
    if (kept != TraceStore.Kept.FIRST) {
      return kept;
    }
    try {
      Optional<String> trace = recorder.store().find(feedback.requestId());
      if (trace.isPresent()) {
        learner.accept(TraceJson.parse(trace.get()), feedback.score());
      }
    } catch (Exception e) {
      LOG.warning(
          "feedback on "
              + feedback.requestId()
              + " was kept but not learned from: "
              + e.getMessage());
    }
    return kept;
  }
}
