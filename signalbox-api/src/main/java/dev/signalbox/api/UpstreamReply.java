package dev.signalbox.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** What an upstream returns for one call: a whole completion, an open stream, or a failure. */
public sealed interface UpstreamReply {

  /** A non-streamed answer; {@code body} is an OpenAI chat.completion object. */
  record Completed(ObjectNode body, Usage usage, String finishReason) implements UpstreamReply {
    public Completed {
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(usage, "usage");
      Objects.requireNonNull(finishReason, "finishReason");
    }
  }

  /** A stream whose response headers arrived; its first chunk may still fail. */
  record Streaming(ChunkStream chunks) implements UpstreamReply {
    public Streaming {
      Objects.requireNonNull(chunks, "chunks");
    }
  }

  /** The call failed before any answer. */
  record Failed(UpstreamFailure failure) implements UpstreamReply {
    public Failed {
      Objects.requireNonNull(failure, "failure");
    }
  }
}
