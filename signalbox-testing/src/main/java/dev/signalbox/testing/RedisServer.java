package dev.signalbox.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port for one test class: no persistence, its
 * output kept in a log file for the report, ready once it answers PING, stopped by its PID. Fails
 * (rather than skips) when {@code redis-server} is not installed: the shared-state tests are part
 * of the proof ({@code .ci/run} installs it).
 */
public final class RedisServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  public RedisServer(Path dir) throws IOException, InterruptedException {
    this(dir, freePort());
  }

  /**
   * A server on {@code port}: a fresh one, or one restarted (empty) where a stopped one was, as a
   * Redis that restarts without persistence comes back.
   */
  public RedisServer(Path dir, int port) throws IOException, InterruptedException {
    this.port = port;
    log = dir.resolve("redis-" + port + "-" + System.nanoTime() + ".log");
    try {
      process =
          new ProcessBuilder(
                  "redis-server",
                  "--bind",
                  "127.0.0.1",
                  "--port",
                  Integer.toString(port),
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IOException(
          "redis-server is needed by this test (apt-get install -y redis-server): "
              + e.getMessage(),
          e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!answersPing()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException(
            "redis-server did not start on port " + port + ":\n" + Files.readString(log));
      }
      Thread.sleep(20);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket free = new ServerSocket(0)) {
      return free.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException notYet) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
