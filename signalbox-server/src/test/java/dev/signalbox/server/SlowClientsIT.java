package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.SlowClients;
import java.time.Duration;
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
      long connected;
      try (SlowClients slow = SlowClients.start("127.0.0.1", gateway.server.port(), SLOW_CLIENTS)) {
        assertThat(slow.awaitFirstConnections(Duration.ofSeconds(30)))
            .as("every slow client connected")
            .isTrue();
        for (int i = 0; i < 20; i++) {
          assertThat(gateway.chat("small", false).statusCode()).as("request " + i).isEqualTo(200);
          Thread.sleep(100); // a normal client's pace, 10 requests a second
        }
        connected = slow.connections();
      }
      assertThat(connected).isGreaterThanOrEqualTo(SLOW_CLIENTS);
      assertThat(gateway.get("/metrics").body()).contains("signalbox_connections_closed_total");
    }
  }
}
