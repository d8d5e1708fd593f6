package dev.signalbox.core.upstream;

import io.helidon.common.buffers.DataReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A response body whose reads are bounded by a deadline: when it passes, or the call is cancelled,
 * the body is closed so that a blocked read fails, and {@link #timedOut()} or {@link #cancelled()}
 * tells why. The socket's own read timeout, which may fire at the same moment, counts as the
 * deadline. Closing it also closes the response, which gives a fully read connection back to the
 * pool and closes any other.
 */
final class GuardedBody {
  private final InputStream body;
  private final AutoCloseable response;
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final long length;
  private final long openedAtNanos;
  private Watchdog.Armed armed;

  /**
   * @param endsAtClose whether the body has neither a length nor chunks, and so ends where the
   *     connection does
   * @param length the body's Content-Length, or -1 when it has none
   * @param openedAtNanos when the request was sent, on {@link System#nanoTime()}
   */
  GuardedBody(
      InputStream body,
      AutoCloseable response,
      boolean endsAtClose,
      long length,
      long openedAtNanos) {
    this.body = new IoFailures(body, endsAtClose, timedOut);
    this.response = response;
    this.length = length;
    this.openedAtNanos = openedAtNanos;
  }

  long openedAtNanos() {
    return openedAtNanos;
  }

  InputStream stream() {
    return body;
  }

  void arm(Duration deadline) {
    disarm();
    armed =
        Watchdog.arm(
            deadline,
            () -> {
              timedOut.set(true);
              closeQuietly();
            });
  }

  void disarm() {
    if (armed != null) {
      armed.disarm();
      armed = null;
    }
  }

  void cancel() {
    cancelled.set(true);
    closeQuietly();
  }

  boolean timedOut() {
    return timedOut.get();
  }

  boolean cancelled() {
    return cancelled.get();
  }

  void close() {
    disarm();
    closeQuietly();
  }

  /**
   * The whole body, at most {@code limit} bytes. A body of known length is read into an array of
   * that length: asked for more, the HTTP client allocates a buffer of what was asked for each read
   * ({@code readNBytes} asks for 16 KB), which was most of what a short answer allocated. The read
   * after it sees the end, which is what lets the client keep the connection: closed before the end
   * is seen, it is closed rather than given back.
   */
  byte[] readAll(Duration deadline, int limit) throws IOException {
    arm(deadline);
    try {
      if (length < 0 || length > limit) {
        return body.readNBytes(limit);
      }
      byte[] bytes = new byte[(int) length];
      int read = body.readNBytes(bytes, 0, bytes.length);
      if (read == bytes.length) {
        body.read();
        return bytes;
      }
      return Arrays.copyOf(bytes, read);
    } finally {
      disarm();
    }
  }

  private void closeQuietly() {
    // The response first: it closes a connection whose body is unread, and only then can closing
    // the
    // body stream (which reads on to the next chunk) no longer block.
    try {
      response.close();
    } catch (Exception ignored) {
      // Closing is how a stalled read is broken; a failure to close changes nothing.
    }
    try {
      body.close();
    } catch (IOException | RuntimeException ignored) {
      // As above.
    }
  }

  /**
   * The HTTP client reports a broken connection with unchecked exceptions, and the end of a body
   * that ends at close as one too; readers here expect IOException and -1.
   */
  private static final class IoFailures extends FilterInputStream {
    private final boolean endsAtClose;
    private final AtomicBoolean timedOut;

    IoFailures(InputStream in, boolean endsAtClose, AtomicBoolean timedOut) {
      super(in);
      this.endsAtClose = endsAtClose;
      this.timedOut = timedOut;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (DataReader.InsufficientDataAvailableException e) {
        return endOrCut(e);
      } catch (RuntimeException e) {
        throw noted(asIo(e));
      } catch (IOException e) {
        throw noted(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (DataReader.InsufficientDataAvailableException e) {
        return endOrCut(e);
      } catch (RuntimeException e) {
        throw noted(asIo(e));
      } catch (IOException e) {
        throw noted(e);
      }
    }

    private IOException noted(IOException e) {
      if (e instanceof SocketTimeoutException) {
        timedOut.set(true);
      }
      return e;
    }

    private int endOrCut(RuntimeException e) throws IOException {
      if (endsAtClose) {
        return -1;
      }
      throw new IOException("connection closed before the end of the body", e);
    }

    private static IOException asIo(RuntimeException e) {
      return e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }
}
