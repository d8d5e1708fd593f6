package dev.signalbox.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A request's body in the client's own protocol, which an upstream speaking that protocol receives
 * as sent (only the model changed), so that what the gateway's chat shape cannot carry (thinking
 * signatures, {@code cache_control}) is not lost on the way.
 */
public record NativeBody(Protocol protocol, ObjectNode body) {

  /** The protocols a request may come in by besides chat completions. */
  public enum Protocol {
    ANTHROPIC_MESSAGES,
    OPENAI_RESPONSES,
    OPENAI_EMBEDDINGS
  }

  public NativeBody {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(body, "body");
  }
}
