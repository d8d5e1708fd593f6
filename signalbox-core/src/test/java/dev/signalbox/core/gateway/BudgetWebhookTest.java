package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.core.limits.Scope;
import dev.signalbox.core.wire.Json;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BudgetWebhookTest {
  @Test
  void anAlertIsPostedAsJson() throws Exception {
    BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          received.add(new String(exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
    try {
      new BudgetWebhook(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"))
          .accept(
              new BudgetAlert(
                  new Scope(Scope.Kind.TEAM, "platform"),
                  4.2,
                  5.0,
                  Instant.parse("2027-01-01T00:00:00Z")));
      String body = received.poll(10, TimeUnit.SECONDS);
      assertThat(body).isNotNull();
      JsonNode json = Json.MAPPER.readTree(body);
      assertThat(json.path("type").asText()).isEqualTo("budget.soft_threshold");
      assertThat(json.path("scope").asText()).isEqualTo("team:platform");
      assertThat(json.path("spent_usd").asDouble()).isEqualTo(4.2);
      assertThat(json.path("resets_at").asText()).isEqualTo("2027-01-01T00:00:00Z");
    } finally {
      server.stop(0);
    }
  }
}
