package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slowloris against the default connection limit: 2,000 clients each trickling a request one byte
 * at a time, reconnecting whenever they are cut off, while a normal client is served every time.
 */
@Timeout(90)
class SlowClientsIT {
  static final int SLOW_CLIENTS = 2_000;

  @Test
  void aNormalClientIsServedWhileTwoThousandSlowClientsHoldConnections() throws Exception {
    try (GatewayHarness gateway =
        new GatewayHarness(
            """
            server: {request-header-timeout: 2s}
            deployments:
              - name: fast
                provider: sim
                sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 1}, output-tokens: {median: 4, p99: 4}}
            models:
              - {name: small, deployments: [fast]}
            """)) {
      AtomicBoolean attacking = new AtomicBoolean(true);
      AtomicInteger connected = new AtomicInteger();
      CountDownLatch allOpen = new CountDownLatch(SLOW_CLIENTS);
      List<Thread> attackers = new ArrayList<>();
      for (int i = 0; i < SLOW_CLIENTS; i++) {
        attackers.add(
            Thread.ofVirtual()
                .start(() -> trickle(gateway.server.port(), attacking, connected, allOpen)));
      }
      assertThat(allOpen.await(30, TimeUnit.SECONDS)).as("every slow client connected").isTrue();
      try {
        for (int i = 0; i < 20; i++) {
          assertThat(gateway.chat("small", false).statusCode()).as("request " + i).isEqualTo(200);
          Thread.sleep(100);
        }
      } finally {
        attacking.set(false);
        for (Thread attacker : attackers) {
          attacker.join(10_000);
        }
      }
      assertThat(connected.get()).isGreaterThanOrEqualTo(SLOW_CLIENTS);
      assertThat(gateway.get("/metrics").body()).contains("signalbox_connections_closed_total");
    }
  }

  /** Connects and sends a request a byte at a time; reconnects when cut off, until told to stop. */
  private static void trickle(
      int port, AtomicBoolean attacking, AtomicInteger connected, CountDownLatch firstOpen) {
    byte[] request =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaa"
            .repeat(4)
            .getBytes(StandardCharsets.US_ASCII);
    boolean counted = false;
    while (attacking.get()) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        connected.incrementAndGet();
        if (!counted) {
          counted = true;
          firstOpen.countDown();
        }
        OutputStream out = socket.getOutputStream();
        for (int i = 0; i < request.length && attacking.get(); i++) {
          out.write(request[i]);
          out.flush();
          Thread.sleep(250);
        }
      } catch (IOException cutOff) {
        // The gateway closed this one; come back, as an attacker would.
      } catch (InterruptedException e) {
        return;
      }
      if (!counted) {
        counted = true;
        firstOpen.countDown();
      }
    }
  }
}
