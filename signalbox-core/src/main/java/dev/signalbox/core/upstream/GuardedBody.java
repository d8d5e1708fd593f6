package dev.signalbox.core.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A response body whose reads are bounded by a deadline: when it passes, or the call is cancelled,
 * the body is closed so that a blocked read fails, and {@link #timedOut()} or {@link #cancelled()}
 * tells why.
 */
final class GuardedBody {
  private final InputStream body;
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private Watchdog.Armed armed;

  GuardedBody(InputStream body) {
    this.body = body;
  }

  InputStream stream() {
    return body;
  }

  void arm(Duration deadline) {
    disarm();
    armed = Watchdog.arm(deadline, () -> {
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

  byte[] readAll(Duration deadline, int limit) throws IOException {
    arm(deadline);
    try {
      byte[] bytes = body.readNBytes(limit);
      return bytes;
    } finally {
      disarm();
    }
  }

  private void closeQuietly() {
    try {
      body.close();
    } catch (IOException ignored) {
      // Closing is how a stalled read is broken; a failure to close changes nothing.
    }
  }
}
