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

    /** Ends the body. */
    void end();
  }
}
