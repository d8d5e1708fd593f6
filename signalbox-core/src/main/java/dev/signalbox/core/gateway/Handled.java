package dev.signalbox.core.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.Json;
import java.util.Optional;

/** What the server sends back for one chat request. */
public sealed interface Handled {
  ResponseInfo info();

  /** An error in OpenAI's shape; the trace is already written. */
  record Rejected(SignalboxException error, ResponseInfo info) implements Handled {}

  /**
   * A whole answer; the trace is already written. {@code asSent} is the upstream's own bytes of
   * {@code body}, when it sent them and the gateway changed nothing. {@code nativeBody} is the
   * upstream's answer in the client's own protocol, when it spoke it.
   */
  record Completed(
      ObjectNode body, Optional<byte[]> asSent, Optional<ObjectNode> nativeBody, ResponseInfo info)
      implements Handled {

    /** The answer as an OpenAI client gets it: the upstream's bytes, or the body written. */
    public byte[] bytes() {
      return asSent.orElseGet(() -> Json.bytes(body));
    }
  }

  /** A stream to relay; {@link StreamRelay#relay} writes the trace when it ends. */
  record Streaming(StreamRelay relay, ResponseInfo info) implements Handled {}
}
