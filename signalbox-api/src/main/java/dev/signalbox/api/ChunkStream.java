package dev.signalbox.api;

/**
 * A streamed answer being received. {@link #next()} blocks until the next chunk; after a {@link
 * Chunk.Done} or {@link Chunk.Broken} it must not be called again. {@link #cancel()} may be called
 * from any thread and makes a blocked {@code next()} return {@code Broken}.
 */
public interface ChunkStream {
  Chunk next() throws InterruptedException;

  void cancel();
}
