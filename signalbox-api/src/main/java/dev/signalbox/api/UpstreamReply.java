package dev.signalbox.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/** What an upstream returns for one call: a whole completion, an open stream, or a failure. */
public sealed interface UpstreamReply {

  /**
   * A non-streamed answer; {@code body} is an OpenAI chat.completion object. {@code nativeBody} is
   * the answer as the upstream sent it when it spoke the client's own protocol. {@code asSent} is
   * the upstream's own bytes of {@code body}, when it sent OpenAI's shape: the gateway relays them
   * to an OpenAI client rather than writing the body again, unless it changed the body.
   */
  record Completed(
      ObjectNode body,
      Usage usage,
      String finishReason,
      Optional<ObjectNode> nativeBody,
      Optional<byte[]> asSent)
      implements UpstreamReply {
    public Completed(ObjectNode body, Usage usage, String finishReason) {
      this(body, usage, finishReason, Optional.empty());
    }

    public Completed(
        ObjectNode body, Usage usage, String finishReason, Optional<ObjectNode> nativeBody) {
      this(body, usage, finishReason, nativeBody, Optional.empty());
    }

    public Completed {
      Objects.requireNonNull(asSent, "asSent");
      Objects.requireNonNull(nativeBody, "nativeBody");
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
