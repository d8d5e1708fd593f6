package dev.signalbox.core.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.SignalboxException;
import java.util.Optional;

/** What the server sends back for one chat request. */
public sealed interface Handled {
  ResponseInfo info();

  /** An error in OpenAI's shape; the trace is already written. */
  record Rejected(SignalboxException error, ResponseInfo info) implements Handled {}

  /**
   * A whole answer; the trace is already written. {@code nativeBody} is the upstream's answer in
   * the client's own protocol, when it spoke it.
   */
  record Completed(ObjectNode body, Optional<ObjectNode> nativeBody, ResponseInfo info)
      implements Handled {}

  /** A stream to relay; {@link StreamRelay#relay} writes the trace when it ends. */
  record Streaming(StreamRelay relay, ResponseInfo info) implements Handled {}
}
