package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceStore;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code signalbox serve} as its own process: SIGHUP reloads; SIGTERM drains open streams and
 * flushes traces.
 */
@Timeout(120)
class ServeProcessIT {
  @TempDir Path dir;

  private static final String CONFIG =
      """
      traces: {path: %s}
      server: {access-log: false}
      deployments:
        - name: slow
          provider: sim
          sim: {time-to-first-token-ms: {median: 5}, ms-per-token: {median: 40, p99: 40}, output-tokens: {median: 30, p99: 30}}
      models:
        - {name: m, deployments: [slow]}
      routes:
        - {name: first, models: [m]}
      """;

  @Test
  void reloadsOnSighupAndDrainsStreamsOnSigterm() throws Exception {
    Path config = dir.resolve("c.yaml");
    Path store = dir.resolve("t.db");
    Files.writeString(config, CONFIG.formatted(store));
    Process process =
        new ProcessBuilder(
                Processes.javaCommand("serve", "--config", config.toString(), "--port", "0"))
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      int port = Processes.awaitPort(out);
      Thread.ofVirtual().start(() -> out.lines().forEach(line -> {}));
      HttpClient client = HttpClient.newHttpClient();

      Files.writeString(config, CONFIG.formatted(store) + "  - {name: second, models: [m]}\n");
      new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
      boolean reloaded = false;
      for (int i = 0; i < 2_000 && !reloaded; i++) {
        reloaded =
            client
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body()
                .contains("\"second\"");
      }
      assertThat(reloaded).as("the new route is served after SIGHUP").isTrue();

      HttpResponse<InputStream> stream =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                  .header("content-type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"second\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      String id = stream.headers().firstValue("x-signalbox-request-id").orElseThrow();
      BufferedReader events =
          new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
      assertThat(events.readLine()).startsWith("data: {");
      process.destroy(); // SIGTERM while the stream is still going (30 tokens at 40 ms)
      String rest = events.lines().reduce("", (a, b) -> a + b + "\n");
      assertThat(rest)
          .as("the stream runs to its end")
          .contains("\"finish_reason\":\"stop\"", "data: [DONE]");
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

      try (TraceStore traces = SqliteTraceStore.open(store)) {
        assertThat(traces.find(id))
            .as("the drained stream's trace was flushed")
            .get()
            .asString()
            .contains("\"outcome\":\"ok\"");
      }
    } finally {
      process.destroyForcibly();
    }
  }
}
