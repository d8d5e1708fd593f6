package dev.signalbox.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code signalbox serve} as a child process. All it prints is kept: assertion messages can quote
 * it, and it goes to this test's output (so to the test report) when the process is closed.
 */
final class ServeProcess implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("Signalbox listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final Duration READY = Duration.ofSeconds(90);

  final Process process;
  final int port;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final StringBuilder output = new StringBuilder();
  private final Thread reader;

  private ServeProcess(Process process) throws InterruptedException {
    this.process = process;
    this.reader = Thread.ofPlatform().daemon().name("serve-output").start(this::readAll);
    this.port = awaitPort();
  }

  /**
   * Starts {@code serve --config CONFIG --port 0}, then {@code options}, in {@code dir} and waits
   * for its listening line.
   */
  static ServeProcess start(Path dir, Path config, String... options)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    // A SIGHUP ignored here (a build started under nohup) would stay ignored in the child, and the
    // JVM keeps it so: give the child the default disposition, as a service manager would.
    command.addAll(List.of("env", "--default-signal=HUP"));
    List<String> arguments =
        new ArrayList<>(List.of("serve", "--config", config.toString(), "--port", "0"));
    arguments.addAll(List.of(options));
    command.addAll(Processes.javaCommand(arguments.toArray(String[]::new)));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      return new ServeProcess(process);
    } catch (RuntimeException | Error e) {
      process.destroyForcibly();
      throw e;
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** POSTs a JSON body to {@code path}. */
  <T> HttpResponse<T> post(String path, String json, HttpResponse.BodyHandler<T> answer)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        answer);
  }

  /** Everything printed so far. */
  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  /** Waits, within {@code timeout}, for a printed line containing {@code text}. */
  boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (output) {
      while (output.indexOf(text) < 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(output, left);
      }
      return true;
    }
  }

  /** SIGTERM, then waits for the process to end; false if it did not within {@code timeout}. */
  boolean terminate(Duration timeout) throws InterruptedException {
    sigterm();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * SIGTERM through the process handle: {@link Process#destroy()} would also close our end of its
   * output, losing what it says while it stops.
   */
  void sigterm() {
    process.toHandle().destroy();
  }

  private int awaitPort() throws InterruptedException {
    long deadline = System.nanoTime() + READY.toNanos();
    synchronized (output) {
      while (true) {
        Matcher listening = LISTENING.matcher(output);
        if (listening.find()) {
          return Integer.parseInt(listening.group(1));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
          throw new AssertionError("serve did not say it was listening:\n" + output);
        }
        TimeUnit.NANOSECONDS.timedWait(output, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    }
  }

  private void readAll() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (output) {
          output.append(line).append('\n');
          output.notifyAll();
        }
      }
    } catch (IOException ended) {
      // The process is gone; what it printed is kept.
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    reader.join(5_000);
    System.out.println("--- output of signalbox serve (pid " + process.pid() + ") ---");
    System.out.print(output());
  }
}
