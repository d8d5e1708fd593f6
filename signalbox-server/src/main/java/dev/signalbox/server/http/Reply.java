package dev.signalbox.server.http;

import java.io.IOException;

/**
 * The answer to one {@link HttpCall}: headers first, then either a whole body or a stream. Every
 * call gets exactly one; a handler that returns without answering has its connection closed.
 */
public interface Reply {
  /** Adds a response header; ignored once the answer has started. */
  void header(String name, String value);

  /** Closes the connection once this answer is written. */
  void closeConnection();

  /** Whether the status line has been written, after which only the stream may continue. */
  boolean started();

  /** Writes the whole answer. */
  void send(int status, String contentType, byte[] body);

  /** Starts a chunked answer whose body the returned stream writes. */
  BodyStream stream(int status, String contentType);

  /** The body of a chunked answer. */
  interface BodyStream {
    /**
     * Writes a part of the body; waits while the client is slow to read.
     *
     * @throws IOException when the client has gone
     */
    void write(byte[] bytes) throws IOException, InterruptedException;

    /**
     * Writes a part of the body without waiting, from any thread; false when the client has fallen
     * behind, and then {@link #whenCaughtUp} says when it has caught up.
     *
     * @throws IOException when the client has gone
     */
    boolean writeWithoutWaiting(byte[] bytes) throws IOException;

    /** Runs {@code then} once the client has taken what was written (at once if it has). */
    void whenCaughtUp(Runnable then);

    /** Ends the body. */
    void end();
  }
}
