package dev.signalbox.core.gateway;

import java.io.IOException;

/** Where a relayed stream's bytes go; an IOException means the client went away. */
public interface ChunkWriter {
  /** Writes bytes, waiting while the client is slow to read. */
  void write(byte[] bytes) throws IOException;

  /**
   * Writes bytes without waiting, on the thread that may not block; false when the client has
   * fallen behind, and then {@link #whenCaughtUp} says when it has caught up.
   */
  default boolean writeWithoutWaiting(byte[] bytes) throws IOException {
    write(bytes);
    return true;
  }

  /** Runs {@code then} once the client has taken what was written (at once if it has). */
  default void whenCaughtUp(Runnable then) {
    then.run();
  }
}
