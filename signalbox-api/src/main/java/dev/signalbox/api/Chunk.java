package dev.signalbox.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** One event of a streamed answer, already in OpenAI's chat.completion.chunk shape. */
public sealed interface Chunk {

  /** A chunk to relay to the client; {@code json} is an OpenAI chat.completion.chunk object. */
  record Delta(ObjectNode json) implements Chunk {
    public Delta {
      Objects.requireNonNull(json, "json");
    }
  }

  /**
   * The end of a successful stream, with the usage the upstream reported or the gateway counted.
   */
  record Done(Usage usage, String finishReason) implements Chunk {
    public Done {
      Objects.requireNonNull(usage, "usage");
      Objects.requireNonNull(finishReason, "finishReason");
    }
  }

  /** The stream broke before it was done. */
  record Broken(UpstreamFailure failure) implements Chunk {
    public Broken {
      Objects.requireNonNull(failure, "failure");
    }
  }
}
