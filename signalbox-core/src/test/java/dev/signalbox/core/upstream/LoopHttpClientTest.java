package dev.signalbox.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class LoopHttpClientTest {
  private static final byte[] HELLO = "{\"hi\":1}".getBytes(StandardCharsets.UTF_8);

  @Test
  void aBodyLargerThanTheLoopBuffersArrivesWholeWhenReadSlowly() throws Exception {
    byte[] big = new byte[3 * 1024 * 1024];
    new Random(7).nextBytes(big);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, big.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(big);
          }
        });
    server.start();
    try (LoopHttpClient client = plain(server.getAddress().getPort())) {
      LoopResponse response = client.post(uri(server.getAddress().getPort()), Map.of(), HELLO);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.contentLength()).isEqualTo(big.length);
      InputStream body = response.body();
      byte[] read = new byte[big.length];
      int at = 0;
      byte[] slice = new byte[64 * 1024];
      for (int n; (n = body.read(slice)) > 0; at += n) {
        System.arraycopy(slice, 0, read, at, n);
        if (at < 512 * 1024) {
          Thread.sleep(5); // slower than the loop, so that it stops reading and starts again
        }
      }
      assertThat(at).isEqualTo(big.length);
      assertThat(Arrays.equals(read, big)).isTrue();
      response.close();
      awaitIdle(client, 1);
    } finally {
      server.stop(0);
    }
  }

  /** A peer that closes a kept connection (its keep-alive timeout) costs the next call nothing. */
  @Test
  void aConnectionThePeerClosedWhileIdleIsNotUsedAgain() throws Exception {
    try (ServerSocket listener =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Semaphore keepAliveOver = new Semaphore(0);
      AtomicInteger accepted =
          serveEach(listener, socket -> answerOnceThenCloseWhen(keepAliveOver, socket));
      try (LoopHttpClient client = plain(listener.getLocalPort())) {
        for (int i = 0; i < 2; i++) {
          assertThat(postAndRead(client, listener.getLocalPort())).isEqualTo("ok");
          assertThat(client.idleConnections()).isEqualTo(1);
          keepAliveOver.release();
          awaitIdle(client, 0); // dropped once the peer closed it
        }
      }
      assertThat(accepted.get()).isEqualTo(2);
    }
  }

  /**
   * A peer that closes a kept connection just as the next request goes out on it: that request is
   * sent again on a new connection, not failed.
   */
  @Test
  void aRequestOnAKeptConnectionThatClosesUnansweredGoesAgainOnANewOne() throws Exception {
    try (ServerSocket listener =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = serveEach(listener, LoopHttpClientTest::answerOnceThenDropTheNext);
      try (LoopHttpClient client = plain(listener.getLocalPort())) {
        for (int i = 0; i < 2; i++) {
          assertThat(postAndRead(client, listener.getLocalPort())).isEqualTo("ok");
        }
      }
      assertThat(accepted.get()).isEqualTo(2);
    }
  }

  @Test
  void aWholeAnswerReadWithoutBlockingComesWithItsStatusAndKeepsItsConnection() throws Exception {
    try (ServerSocket listener =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = serveEach(listener, LoopHttpClientTest::answerOkTwice);
      try (LoopHttpClient client = plain(listener.getLocalPort())) {
        for (int i = 0; i < 2; i++) {
          WholeAnswer.Whole whole = postWhole(client, listener.getLocalPort(), 1_024).get();
          assertThat(whole.status()).isEqualTo(200);
          assertThat(new String(whole.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
          assertThat(client.idleConnections()).isEqualTo(1);
        }
      }
      assertThat(accepted.get()).isEqualTo(1);
    }
  }

  /**
   * Sent from an event loop, a whole answer goes on a connection of that loop and comes back on it:
   * no hand-over between loops. Each loop ends up with a kept connection of its own.
   */
  @Test
  void aWholeAnswerSentFromALoopUsesAConnectionOfThatLoop() throws Exception {
    try (ServerSocket listener =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = serveEach(listener, LoopHttpClientTest::answerOkTwice);
      try (LoopHttpClient client = plain(listener.getLocalPort())) {
        List<io.netty.util.concurrent.EventExecutor> loops = new java.util.ArrayList<>();
        dev.signalbox.core.net.IoLoops.shared().forEach(loops::add);
        for (int round = 0; round < 2; round++) {
          for (var loop : loops) {
            var answeredOn =
                loop.submit(
                        () ->
                            postWhole(client, listener.getLocalPort(), 1_024)
                                .thenApply(whole -> loop.inEventLoop()))
                    .get()
                    .get(5, TimeUnit.SECONDS);
            assertThat(answeredOn).as("answered on the loop that sent it").isTrue();
          }
        }
        assertThat(accepted.get()).isEqualTo(loops.size());
      }
    }
  }

  @Test
  void aWholeAnswerOnAKeptConnectionThatClosesUnansweredGoesAgainOnANewOne() throws Exception {
    try (ServerSocket listener =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = serveEach(listener, LoopHttpClientTest::answerOnceThenDropTheNext);
      try (LoopHttpClient client = plain(listener.getLocalPort())) {
        for (int i = 0; i < 2; i++) {
          WholeAnswer.Whole whole = postWhole(client, listener.getLocalPort(), 1_024).get();
          assertThat(new String(whole.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
        }
      }
      assertThat(accepted.get()).isEqualTo(2);
    }
  }

  @Test
  void aWholeAnswerFailsPastItsDeadlineOrItsLimitAndClosesItsConnection() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        LoopHttpClient client = plain(silent.getLocalPort())) {
      var answer =
          client.postWhole(
              uri(silent.getLocalPort()), Map.of(), HELLO, Duration.ofMillis(200), 1_024);
      assertThatThrownBy(answer::get)
          .hasCauseInstanceOf(WholeAnswer.TimedOut.class)
          .cause()
          .satisfies(e -> assertThat(((WholeAnswer.TimedOut) e).answered()).isFalse());
      assertThat(client.idleConnections()).isZero();
    }
    try (ServerSocket listener =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      serveEach(listener, LoopHttpClientTest::answerOkTwice);
      try (LoopHttpClient client = plain(listener.getLocalPort())) {
        assertThatThrownBy(() -> postWhole(client, listener.getLocalPort(), 1).get())
            .hasCauseInstanceOf(WholeAnswer.CutShort.class);
        awaitIdle(client, 0);
      }
    }
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    try (LoopHttpClient client = plain(closedPort)) {
      assertThatThrownBy(() -> postWhole(client, closedPort, 1_024).get())
          .hasCauseInstanceOf(java.net.ConnectException.class);
    }
  }

  private static java.util.concurrent.CompletableFuture<WholeAnswer.Whole> postWhole(
      LoopHttpClient client, int port, int limit) {
    return client.postWhole(uri(port), Map.of(), HELLO, Duration.ofSeconds(5), limit);
  }

  /** Answers two requests "ok" on one kept connection, then waits for the client to close it. */
  private static void answerOkTwice(Socket socket) {
    try (socket) {
      answerOk(socket);
      answerOk(socket);
      socket.getInputStream().read();
    } catch (IOException e) {
      // The connection is gone either way.
    }
  }

  @Test
  void aConnectionRefusedOrNeverAnsweredIsAnIoFailureOrAWaitThatAnInterruptEnds() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    try (LoopHttpClient client = plain(closedPort)) {
      assertThatThrownBy(() -> client.post(uri(closedPort), Map.of(), HELLO))
          .isInstanceOf(java.net.ConnectException.class);
    }
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        LoopHttpClient client = plain(silent.getLocalPort())) {
      Thread caller = Thread.currentThread();
      Watchdog.arm(Duration.ofMillis(200), caller::interrupt);
      assertThatThrownBy(() -> client.post(uri(silent.getLocalPort()), Map.of(), HELLO))
          .isInstanceOf(InterruptedException.class);
      Thread.interrupted();
      assertThat(client.idleConnections()).isZero();
    }
  }

  @Test
  void tlsChecksTheUpstreamsCertificateAndName(@TempDir Path dir) throws Exception {
    char[] password = "secret".toCharArray();
    Path store = dir.resolve("upstream.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "upstream",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "secret")
            .redirectErrorStream(true)
            .start();
    String keytoolOutput = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(keytoolOutput).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, password);
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(keyManagers.getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.createContext(
        "/",
        exchange -> {
          byte[] sent = exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, sent.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(sent);
          }
        });
    server.start();
    int port = server.getAddress().getPort();
    SslContext trusting =
        SslContextBuilder.forClient()
            .trustManager((X509Certificate) keys.getCertificate("upstream"))
            .endpointIdentificationAlgorithm("HTTPS")
            .build();
    try (LoopHttpClient client =
            new LoopHttpClient(
                URI.create("https://localhost:" + port), Duration.ofSeconds(2), 4, trusting);
        LoopHttpClient wrongName =
            new LoopHttpClient(
                URI.create("https://127.0.0.1:" + port), Duration.ofSeconds(2), 4, trusting);
        LoopHttpClient defaultTrust =
            LoopHttpClient.of(URI.create("https://localhost:" + port), Duration.ofSeconds(2), 4)) {
      LoopResponse response =
          client.post(URI.create("https://localhost:" + port + "/v1/x"), Map.of(), HELLO);
      assertThat(response.body().readAllBytes()).isEqualTo(HELLO);
      response.close();
      assertThatThrownBy(
              () -> wrongName.post(URI.create("https://127.0.0.1:" + port + "/"), Map.of(), HELLO))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(
              () ->
                  defaultTrust.post(URI.create("https://localhost:" + port + "/"), Map.of(), HELLO))
          .isInstanceOf(IOException.class);
    } finally {
      server.stop(0);
    }
  }

  /** The answer to one POST, read to its end and closed. */
  private static String postAndRead(LoopHttpClient client, int port) throws Exception {
    try (LoopResponse response = client.post(uri(port), Map.of(), HELLO)) {
      return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Serves every connection the listener accepts on its own thread; counts them. */
  private static AtomicInteger serveEach(ServerSocket listener, Consumer<Socket> serve) {
    AtomicInteger accepted = new AtomicInteger();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (true) {
                  Socket socket = listener.accept();
                  accepted.incrementAndGet();
                  Thread.ofVirtual().start(() -> serve.accept(socket));
                }
              } catch (IOException closed) {
                // The test is over.
              }
            });
    return accepted;
  }

  /** Answers one request, then closes the connection once told (its keep-alive timeout). */
  private static void answerOnceThenCloseWhen(Semaphore keepAliveOver, Socket socket) {
    try (socket) {
      answerOk(socket);
      keepAliveOver.acquire();
    } catch (IOException | InterruptedException e) {
      // The connection is gone either way.
    }
  }

  private static void answerOnceThenDropTheNext(Socket socket) {
    try (socket) {
      answerOk(socket);
      readRequest(socket.getInputStream());
    } catch (IOException e) {
      // The connection is gone either way.
    }
  }

  /** Reads one request and answers it "ok", keeping the connection. */
  private static void answerOk(Socket socket) throws IOException {
    readRequest(socket.getInputStream());
    OutputStream out = socket.getOutputStream();
    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads up to the end of a request whose body is {@link #HELLO}. */
  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request cut");
      }
      head.append((char) b);
    }
    in.readNBytes(HELLO.length);
  }

  private static void awaitIdle(LoopHttpClient client, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (client.idleConnections() != count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(client.idleConnections()).isEqualTo(count);
  }

  private static LoopHttpClient plain(int port) {
    return LoopHttpClient.of(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2), 4);
  }

  private static URI uri(int port) {
    return URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
  }
}
