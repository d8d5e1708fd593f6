package dev.signalbox.server.http;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** What serves a call. */
@FunctionalInterface
public interface Handler {
  /** Serves a call on a virtual thread of its own. */
  void serve(HttpCall call, Reply reply) throws Exception;

  /**
   * Serves a call from its connection's event loop, which must never block, when this handler can:
   * the returned stage completes (on any thread) once the answer is given. Empty, with nothing
   * done, to have {@link #serve} run on a virtual thread instead; by default always.
   *
   * @param blocking where whatever may block is run, on virtual threads
   */
  default Optional<CompletionStage<Void>> serveWithoutBlocking(
      HttpCall call, Reply reply, Executor blocking) {
    return Optional.empty();
  }
}
