package dev.signalbox.core.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A response body whose reads are bounded by a deadline: when it passes, or the call is cancelled,
 * the response is aborted (its connection closed) so that a blocked read fails, and {@link
 * #timedOut()} or {@link #cancelled()} tells why. Closing it normally gives the connection back to
 * the pool once the body has been read to its end.
 */
final class GuardedBody {
  private final LoopResponse response;
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final long length;
  private final long openedAtNanos;
  private Watchdog.Armed armed;

  /**
   * @param length the body's Content-Length, or -1 when it has none
   * @param openedAtNanos when the request was sent, on {@link System#nanoTime()}
   */
  GuardedBody(LoopResponse response, long length, long openedAtNanos) {
    this.response = response;
    this.length = length;
    this.openedAtNanos = openedAtNanos;
  }

  long openedAtNanos() {
    return openedAtNanos;
  }

  InputStream stream() {
    return response.body();
  }

  /** Has the rest of the body pushed to {@code pieces} on its loop ({@link LoopResponse#push}). */
  void push(LoopResponse.Pieces pieces) {
    response.push(pieces);
  }

  /** Runs {@code work} on the response's loop: at once when called there. */
  void onLoop(Runnable work) {
    response.onLoop(work);
  }

  void pause() {
    response.pause();
  }

  void resume() {
    response.resume();
  }

  void arm(Duration deadline) {
    disarm();
    armed =
        Watchdog.arm(
            deadline,
            () -> {
              timedOut.set(true);
              response.abort();
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
    response.abort();
  }

  boolean timedOut() {
    return timedOut.get();
  }

  boolean cancelled() {
    return cancelled.get();
  }

  void close() {
    disarm();
    response.close();
  }

  /**
   * The whole body, at most {@code limit} bytes. A body of known length is read into an array of
   * that length, and then to its end, which lets the connection go back to the pool at once.
   */
  byte[] readAll(Duration deadline, int limit) throws IOException {
    arm(deadline);
    InputStream body = response.body();
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
}
