package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
    try (ServeProcess serve = ServeProcess.start(dir, config)) {
      assertThat(serve.output())
          .as("the listening line names the event loops' transport")
          .containsPattern("Signalbox listening on .*; io (io_uring|nio)\\)");
      Files.writeString(config, CONFIG.formatted(store) + "  - {name: second, models: [m]}\n");
      new ProcessBuilder("kill", "-HUP", Long.toString(serve.process.pid())).start().waitFor();
      assertThat(serve.awaitOutput("reloaded " + config, Duration.ofSeconds(30)))
          .as("serve says it reloaded after SIGHUP; it printed:%n%s", serve.output())
          .isTrue();
      assertThat(
              serve
                  .client
                  .send(
                      HttpRequest.newBuilder(URI.create(serve.url("/v1/models"))).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .as("the new route is served after SIGHUP")
          .contains("\"second\"");

      HttpResponse<InputStream> stream =
          serve.post(
              "/v1/chat/completions",
              "{\"model\":\"second\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
              HttpResponse.BodyHandlers.ofInputStream());
      String id = stream.headers().firstValue("x-signalbox-request-id").orElseThrow();
      BufferedReader events =
          new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
      assertThat(events.readLine()).startsWith("data: {");
      serve.sigterm(); // while the stream is still going (30 tokens at 40 ms)
      String rest = events.lines().reduce("", (a, b) -> a + b + "\n");
      assertThat(rest)
          .as("the stream runs to its end")
          .contains("\"finish_reason\":\"stop\"", "data: [DONE]");
      assertThat(serve.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(
              serve.awaitOutput(
                  "signalbox stopped: 1 of 1 requests drained", Duration.ofSeconds(5)))
          .as("serve says what it drained; it printed:%n%s", serve.output())
          .isTrue();

      try (TraceStore traces = SqliteTraceStore.open(store)) {
        assertThat(traces.find(id))
            .as("the drained stream's trace was flushed")
            .get()
            .asString()
            .contains("\"outcome\":\"ok\"");
      }
    }
  }

  @Test
  void aWarmUpRunsBeforeTheListeningLineAndLeavesNoTraceOrFileBehind() throws Exception {
    Path config = dir.resolve("c.yaml");
    Path store = dir.resolve("t.db");
    Files.writeString(config, CONFIG.formatted(store));
    Set<Path> before = warmUpFolders();
    try (ServeProcess serve = ServeProcess.start(dir, config, "--warm-up", "18")) {
      String output = serve.output();
      assertThat(output)
          .containsPattern(
              "Signalbox warmed up: 36 requests through two simulated gateways in \\d+ ms");
      assertThat(output.indexOf("warmed up")).isLessThan(output.indexOf("listening on"));
      HttpResponse<String> answer =
          serve.post(
              "/v1/chat/completions",
              "{\"model\":\"first\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      serve.sigterm();
      assertThat(serve.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    try (TraceStore traces = SqliteTraceStore.open(store)) {
      assertThat(traces.recent(100))
          .as("the warm-up's requests went to gateways of their own, traced in their own folder")
          .hasSize(1);
    }
    assertThat(warmUpFolders()).as("the warm-up's folder is removed").isSubsetOf(before);
  }

  private static Set<Path> warmUpFolders() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("signalbox-warm-up"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void aBusyPortIsAnErrorNamingItNotAHang() throws Exception {
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, CONFIG.formatted(dir.resolve("t.db")));
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      long started = System.nanoTime();
      Processes.Result result =
          Processes.run(
              dir,
              Duration.ofSeconds(60),
              Processes.javaCommand(
                      "serve", "--config", config.toString(), "--port", "" + taken.getLocalPort())
                  .toArray(String[]::new));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(result.exitCode()).as(result.output()).isEqualTo(3);
      assertThat(result.output())
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("listening on")
          .doesNotContain("\tat ");
      System.out.println(
          "serve on a busy port exited in " + took.toMillis() + " ms, JVM start included");
    }
  }
}
