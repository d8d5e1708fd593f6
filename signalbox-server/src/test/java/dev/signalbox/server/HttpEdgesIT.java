package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's edges as a careless or hostile client meets them: deadlines for slow requests,
 * connections closed when asked and taken back from idle clients at the limit, malformed HTTP and
 * browser requests answered in OpenAI's error shape, never a 5xx.
 */
@Timeout(60)
class HttpEdgesIT {
  static final String CONFIG =
      """
      server:
        request-header-timeout: 400ms
        request-body-timeout: 400ms
        keep-alive-timeout: 2s
        max-connections: 40
        cors-origins: [https://app.example.com]
      deployments:
        - name: fast
          provider: sim
          sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 1}, output-tokens: {median: 4, p99: 4}}
      models:
        - {name: small, deployments: [fast]}
      routes:
        - {name: auto, models: [small], policy: priority}
      """;
  static final String CHAT =
      "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  static GatewayHarness gateway;

  @BeforeAll
  static void start() throws IOException {
    gateway = new GatewayHarness(CONFIG);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  private RawHttp raw() throws IOException {
    return new RawHttp(gateway.server.port(), Duration.ofSeconds(10));
  }

  @Test
  void aRequestWhoseHeadersDoNotArriveInTimeGets408AndItsConnectionCloses() throws Exception {
    try (RawHttp client = raw()) {
      client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      long start = System.nanoTime();
      RawHttp.Response response = client.read();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(response.status()).isEqualTo(408);
      assertThat(response.error().path("code").asText()).isEqualTo("request_timeout");
      assertThat(response.error().path("message").asText()).contains("headers");
      assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aBodyThatDoesNotArriveInTimeGets408() throws Exception {
    try (RawHttp client = raw()) {
      client.send(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"model\":");
      RawHttp.Response response = client.read();
      assertThat(response.status()).isEqualTo(408);
      assertThat(response.error().path("message").asText()).contains("body");
      assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws Exception {
    try (RawHttp client = raw()) {
      assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void connectionCloseClosesTheConnectionAfterTheAnswer() throws Exception {
    try (RawHttp client = raw()) {
      client.send(RawHttp.post("/v1/chat/completions", "Connection: close\r\n", CHAT));
      RawHttp.Response response = client.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers()).containsEntry("connection", "close");
      assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void keepAliveServesPipelinedRequestsInOrder() throws Exception {
    try (RawHttp client = raw()) {
      client.send(
          RawHttp.post("/v1/chat/completions", "", CHAT)
              + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(client.read().body()).contains("chat.completion");
      assertThat(client.read().body()).contains("\"ok\"");
    }
  }

  @Test
  void aClientThatHalfClosesAfterItsRequestsGetsEveryAnswerAndThenTheClose() throws Exception {
    try (RawHttp client = raw()) {
      client.send(
          RawHttp.post("/v1/chat/completions", "", CHAT)
              + RawHttp.post("/v1/chat/completions", "", CHAT));
      client.socket.shutdownOutput();
      assertThat(client.read().body()).contains("chat.completion");
      assertThat(client.read().body()).contains("chat.completion");
      assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void atTheConnectionLimitIdleAndSlowConnectionsMakeWayForNewClients() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        Socket socket = new Socket("127.0.0.1", gateway.server.port());
        socket.getOutputStream().write("POST /v1/chat/completions HTTP/1.1\r\n".getBytes());
        slow.add(socket);
      }
      for (int i = 0; i < 5; i++) {
        assertThat(gateway.chat("auto", false).statusCode()).isEqualTo(200);
      }
      assertThat(gateway.get("/metrics").body())
          .contains("signalbox_connections_closed_total{reason=\"evicted\"}");
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  void malformedHttpIsA400InOpenAiShapeAndClosesTheConnection() throws Exception {
    Map<String, String> cases =
        Map.of(
            "a NUL in the method",
            "PO\0ST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "a bad chunk size",
            "POST /v1/chat/completions HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + "zz\r\n"
                + "{}\r\n"
                + "0\r\n\r\n",
            "both Content-Length and Transfer-Encoding",
            "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "a bare LF inside a header",
            "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\nX-C: d\r\n\r\n",
            "a request line that is not HTTP",
            "HELLO\r\n\r\n");
    for (var entry : cases.entrySet()) {
      try (RawHttp client = raw()) {
        RawHttp.Response response = client.send(entry.getValue()).read();
        assertThat(response.status()).as(entry.getKey()).isEqualTo(400);
        assertThat(response.error().path("type").asText())
            .as(entry.getKey())
            .isEqualTo("invalid_request_error");
        assertThat(response.error().path("code").asText()).as(entry.getKey()).isNotEmpty();
        assertThat(client.closedWithin(Duration.ofSeconds(5))).as(entry.getKey()).isTrue();
      }
    }
  }

  @Test
  void oversizedLinesAndHeadersHaveTheirOwnStatus() throws Exception {
    try (RawHttp client = raw()) {
      RawHttp.Response response =
          client.send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();
      assertThat(response.status()).isEqualTo(414);
      assertThat(response.error().path("code").asText()).isEqualTo("uri_too_long");
    }
    try (RawHttp client = raw()) {
      RawHttp.Response response =
          client
              .send(
                  "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                      + "b".repeat(20_000)
                      + "\r\n\r\n")
              .read();
      assertThat(response.status()).isEqualTo(431);
    }
  }

  @Test
  void aCompressedBodyIs415() throws Exception {
    try (RawHttp client = raw()) {
      RawHttp.Response response =
          client
              .send(RawHttp.post("/v1/chat/completions", "Content-Encoding: gzip\r\n", CHAT))
              .read();
      assertThat(response.status()).isEqualTo(415);
      assertThat(response.error().path("code").asText()).isEqualTo("unsupported_content_encoding");
    }
  }

  @Test
  void aJsonEndpointRefusesOtherContentTypes() throws Exception {
    HttpResponse<String> response =
        gateway.client.send(
            java.net.http.HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .header("content-type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(CHAT))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(GatewayHarness.json(response).path("error").path("code").asText())
        .isEqualTo("unsupported_media_type");
  }

  @Test
  void aKeylessGatewayAnswersOnlyLoopbackHostNames() throws Exception {
    for (String host : List.of("evil.example", "evil.example:8080", "10.0.0.1")) {
      try (RawHttp client = raw()) {
        RawHttp.Response response =
            client.send("GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
        assertThat(response.status()).as(host).isEqualTo(403);
        assertThat(response.error().path("code").asText()).isEqualTo("host_not_allowed");
      }
    }
    for (String host : List.of("localhost:1234", "127.0.0.1", "[::1]:80")) {
      try (RawHttp client = raw()) {
        RawHttp.Response response =
            client.send("GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
        assertThat(response.status()).as(host).isEqualTo(200);
      }
    }
  }

  @Test
  void crossOriginBrowserRequestsAreRefusedUnlessTheOriginIsListed() throws Exception {
    HttpResponse<String> foreign =
        gateway.post("/v1/chat/completions", CHAT, "origin", "https://evil.example");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(GatewayHarness.json(foreign).path("error").path("code").asText())
        .isEqualTo("origin_not_allowed");

    HttpResponse<String> listed =
        gateway.post("/v1/chat/completions", CHAT, "origin", "https://app.example.com");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.headers().firstValue("access-control-allow-origin"))
        .contains("https://app.example.com");

    try (RawHttp client = raw()) {
      RawHttp.Response preflight =
          client
              .send(
                  "OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Origin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n"
                      + "Access-Control-Request-Headers: authorization, content-type\r\n\r\n")
              .read();
      assertThat(preflight.status()).isEqualTo(204);
      assertThat(preflight.headers().get("access-control-allow-methods")).contains("POST");
    }
  }

  @Test
  void clientsThatGiveUpMidRequestLeaveNoLogLinesOrStackTraces() throws Exception {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
              records.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      for (int i = 0; i < 20; i++) {
        try (RawHttp client = raw()) {
          client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-");
        }
        try (RawHttp client = raw()) {
          client.send(
              "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"mo");
          client.socket.setSoLinger(true, 0);
        }
      }
      assertThat(gateway.get("/health").statusCode()).isEqualTo(200);
    } finally {
      root.removeHandler(capture);
    }
    assertThat(records).as("log lines at INFO or above").isEmpty();
  }
}
