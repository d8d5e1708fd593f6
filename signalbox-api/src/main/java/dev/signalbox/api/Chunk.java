package dev.signalbox.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** One event of a streamed answer, already in OpenAI's chat.completion.chunk shape. */
public sealed interface Chunk {

  /**
   * A chunk to relay to the client; {@code json} is an OpenAI chat.completion.chunk object. When
   * the upstream spoke the client's own protocol, {@code nativeEvents} holds the SSE events it sent
   * (one or more, each ending in a blank line), which the client receives instead, and {@code json}
   * only what they mean to the gateway (text, tool calls, finish reason); else it is "".
   */
  record Delta(ObjectNode json, String nativeEvents) implements Chunk {
    public Delta(ObjectNode json) {
      this(json, "");
    }

    public Delta {
      Objects.requireNonNull(json, "json");
      Objects.requireNonNull(nativeEvents, "nativeEvents");
    }
  }

  /**
   * A chunk that carries only text (no usage, finish reason or tool calls), relayed to the client
   * as the upstream sent it, without a parse into a tree and back: {@code json} is the
   * chat.completion.chunk object's text, {@code text} its first choice's delta content.
   */
  record Plain(String json, String text) implements Chunk {
    public Plain {
      Objects.requireNonNull(json, "json");
      Objects.requireNonNull(text, "text");
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
