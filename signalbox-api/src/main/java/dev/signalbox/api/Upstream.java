package dev.signalbox.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One provider endpoint. Implementations never throw for upstream faults: they return {@link
 * UpstreamReply.Failed}. They honour the call's timeouts themselves.
 */
public interface Upstream extends AutoCloseable {
  /** Sends the call; streams when {@code call.request().stream()} is true. */
  UpstreamReply send(UpstreamCall call) throws InterruptedException;

  /**
   * Whether {@link #sendWithoutBlocking} answers {@code request} without a thread of its own: the
   * gateway then serves it from its event loop, which must never block.
   */
  default boolean sendsWithoutBlocking(ChatRequest request) {
    return false;
  }

  /**
   * As {@link #send}, with the reply completing the returned stage instead of a waiting caller. By
   * default, {@link #send} on a virtual thread of its own; an upstream that says it {@link
   * #sendsWithoutBlocking sends without blocking} completes the stage from its I/O threads and must
   * not block the caller; a stream's stage then completes once its first chunk has come, which
   * {@link ChunkStream#next()} returns at once, and the rest is {@linkplain ChunkStream#push
   * pushed}.
   */
  default CompletionStage<UpstreamReply> sendWithoutBlocking(UpstreamCall call) {
    CompletableFuture<UpstreamReply> reply = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("signalbox-upstream-send")
        .start(
            () -> {
              try {
                reply.complete(send(call));
              } catch (InterruptedException | RuntimeException e) {
                reply.completeExceptionally(e);
              }
            });
    return reply;
  }

  @Override
  default void close() {}
}
