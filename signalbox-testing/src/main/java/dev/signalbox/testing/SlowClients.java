package dev.signalbox.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slowloris: clients that each trickle a request's headers a byte every 250 ms, never finishing,
 * and reconnect whenever the server cuts them off, until closed. For the slow-client test and the
 * edge benchmark.
 */
public final class SlowClients implements AutoCloseable {
  private static final byte[] REQUEST =
      ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "X-Padding: aaaaaaaaaaaaaaaa\r\n".repeat(8))
          .getBytes(StandardCharsets.US_ASCII);
  private static final Duration GAP = Duration.ofMillis(250);

  private final AtomicBoolean attacking = new AtomicBoolean(true);
  private final AtomicLong connections = new AtomicLong();
  private final CountDownLatch firstTries;
  private final List<Thread> clients;

  private SlowClients(String host, int port, int count) {
    firstTries = new CountDownLatch(count);
    clients = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      clients.add(Thread.ofVirtual().start(() -> trickle(host, port)));
    }
  }

  /** Starts {@code count} slow clients against host:port. */
  public static SlowClients start(String host, int port, int count) {
    return new SlowClients(host, port, count);
  }

  /** Whether every client has made its first connection (or been refused it) within the time. */
  public boolean awaitFirstConnections(Duration timeout) throws InterruptedException {
    return firstTries.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Connections made so far, reconnections included. */
  public long connections() {
    return connections.get();
  }

  private void trickle(String host, int port) {
    boolean counted = false;
    while (attacking.get()) {
      try (Socket socket = new Socket(host, port)) {
        connections.incrementAndGet();
        if (!counted) {
          counted = true;
          firstTries.countDown();
        }
        OutputStream out = socket.getOutputStream();
        for (int i = 0; i < REQUEST.length && attacking.get(); i++) {
          out.write(REQUEST[i]);
          out.flush();
          Thread.sleep(GAP);
        }
      } catch (IOException cutOff) {
        // The server closed this one (or refused it); come back, as an attacker would.
      } catch (InterruptedException e) {
        return;
      }
      if (!counted) {
        counted = true;
        firstTries.countDown();
      }
    }
  }

  /** Stops every client; each ends within one gap. */
  @Override
  public void close() throws InterruptedException {
    attacking.set(false);
    for (Thread client : clients) {
      client.join(Duration.ofSeconds(10));
    }
  }
}
