package dev.signalbox.api;

import java.util.function.Consumer;

/**
 * A streamed answer being received. {@link #next()} blocks until the next chunk; after a {@link
 * Chunk.Done} or {@link Chunk.Broken} it must not be called again. {@link #cancel()} may be called
 * from any thread and makes a blocked {@code next()} return {@code Broken}.
 *
 * <p>A stream that {@link #pushes()} can instead hand its remaining chunks to a receiver on the
 * thread that reads them (an event loop), so that relaying them needs no waiting thread.
 */
public interface ChunkStream {
  Chunk next() throws InterruptedException;

  void cancel();

  /** Whether {@link #push} is supported. */
  default boolean pushes() {
    return false;
  }

  /**
   * From now on hands every chunk, up to and including the {@code Done} or {@code Broken} that ends
   * the stream, to {@code receiver} as it arrives, on the thread that reads it, which the receiver
   * must not block. {@link #next()} is not called again. Once cancelled, nothing more is handed.
   *
   * @throws UnsupportedOperationException unless {@link #pushes()}
   */
  default void push(Consumer<Chunk> receiver) {
    throw new UnsupportedOperationException("this stream is only read by next()");
  }

  /** While pushing: stops reading until {@link #resume()}, for a receiver that cannot keep up. */
  default void pause() {}

  /** While pushing: reads again after {@link #pause()}. */
  default void resume() {}
}
