package dev.signalbox.core.dispatch;

import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.routing.PlannedAttempt;

/** How walking a plan ended. */
public sealed interface DispatchResult {

  /** A whole non-streamed answer. */
  record Answered(PlannedAttempt attempt, UpstreamReply.Completed reply)
      implements DispatchResult {}

  /**
   * A stream whose first chunk arrived: past this point nothing is retried. {@code first} is a
   * {@link Chunk.Delta}, or {@link Chunk.Done} for an empty answer.
   */
  record Committed(PlannedAttempt attempt, Chunk first, ChunkStream rest)
      implements DispatchResult {}

  /** Every attempt failed, or the first failure was not worth another attempt. */
  record Failed(SignalboxException error, String outcome) implements DispatchResult {}
}
