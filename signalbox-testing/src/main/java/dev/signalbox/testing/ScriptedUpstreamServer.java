package dev.signalbox.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A real HTTP/1.1 server on loopback that answers each request from a script: JSON, SSE with gaps,
 * resets, stalls, cuts and malformed bytes. Every response closes its connection but those of
 * {@link #keepServing}, after which the connection serves the next request. Binds port 0.
 *
 * <p>Each connection gets a virtual thread; stalls wait on a latch that {@link #close()} releases.
 */
public final class ScriptedUpstreamServer implements AutoCloseable {
  /** What the server does with one request. */
  @FunctionalInterface
  public interface Behaviour {
    void respond(Socket socket, OutputStream out, ScriptedUpstreamServer server)
        throws IOException, InterruptedException;

    /** Responds knowing the request; by default without looking at it. */
    default void respond(
        RecordedRequest request, Socket socket, OutputStream out, ScriptedUpstreamServer server)
        throws IOException, InterruptedException {
      respond(socket, out, server);
    }
  }

  /** A behaviour chosen per request: a scripted model that answers what it was asked. */
  public static Behaviour byRequest(Function<RecordedRequest, Behaviour> choose) {
    return new Behaviour() {
      @Override
      public void respond(Socket socket, OutputStream out, ScriptedUpstreamServer server) {
        throw new IllegalStateException("a behaviour by request needs the request");
      }

      @Override
      public void respond(
          RecordedRequest request, Socket socket, OutputStream out, ScriptedUpstreamServer server)
          throws IOException, InterruptedException {
        choose.apply(request).respond(request, socket, out, server);
      }
    };
  }

  /** One request the server received. */
  public record RecordedRequest(
      String method, String path, Map<String, String> headers, String body) {}

  private final ServerSocket socket;
  private final Deque<Behaviour> script = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final CountDownLatch disconnectSeen = new CountDownLatch(1);
  private volatile Behaviour fallback;

  public ScriptedUpstreamServer(Behaviour fallback) throws IOException {
    this.fallback = fallback;
    this.socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("scripted-upstream-accept").start(this::accept);
  }

  public int port() {
    return socket.getLocalPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  public ScriptedUpstreamServer then(Behaviour behaviour) {
    lock.lock();
    try {
      script.add(behaviour);
    } finally {
      lock.unlock();
    }
    return this;
  }

  public void always(Behaviour behaviour) {
    this.fallback = behaviour;
  }

  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Connections the server has accepted so far. */
  public int acceptedConnections() {
    return accepted.get();
  }

  /** Connections the server holds open now: accepted and not yet closed by either side. */
  public int openConnections() {
    return open.size();
  }

  /** Waits until a streamed response found its client gone (a write failed). */
  public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
    return disconnectSeen.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        accepted.incrementAndGet();
        open.add(client);
        Thread.ofVirtual().start(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      Behaviour behaviour;
      do {
        RecordedRequest request = read(in);
        if (request == null) {
          return;
        }
        requests.add(request);
        lock.lock();
        try {
          behaviour = script.isEmpty() ? fallback : script.poll();
        } finally {
          lock.unlock();
        }
        behaviour.respond(request, client, client.getOutputStream(), this);
      } while (behaviour instanceof ServesNext);
    } catch (IOException | InterruptedException e) {
      // The gateway closed the connection, or the server is closing: nothing to answer.
    } finally {
      open.remove(client);
    }
  }

  private static RecordedRequest read(InputStream in) throws IOException {
    String requestLine = line(in);
    if (requestLine == null || requestLine.isEmpty()) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    String header;
    while ((header = line(in)) != null && !header.isEmpty()) {
      int colon = header.indexOf(':');
      if (colon > 0) {
        headers.put(
            header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            header.substring(colon + 1).trim());
      }
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    String[] parts = requestLine.split(" ", -1);
    return new RecordedRequest(parts[0], parts.length > 1 ? parts[1] : "", headers, body);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  void awaitClose() throws InterruptedException {
    closed.await();
  }

  void sawDisconnect() {
    disconnectSeen.countDown();
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    socket.close();
    for (Socket s : open) {
      s.close();
    }
  }

  // ---- behaviours ----

  /** A complete response with a JSON body. */
  public static Behaviour json(int status, String body, String... headerPairs) {
    return (socket, out, server) -> {
      StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\n");
      head.append("Content-Type: application/json\r\n");
      for (int i = 0; i + 1 < headerPairs.length; i += 2) {
        head.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      head.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
    };
  }

  /**
   * A complete JSON response (with its Content-Length), after which the connection serves the next
   * request, as a keep-alive server does.
   */
  public static Behaviour keepServing(int status, String body) {
    return new ServesNext(status, body);
  }

  private record ServesNext(int status, String body) implements Behaviour {
    @Override
    public void respond(Socket socket, OutputStream out, ScriptedUpstreamServer server)
        throws IOException {
      writeKeptAlive(out, status, body);
    }
  }

  /** A JSON response with its Content-Length and no Connection: close. */
  private static void writeKeptAlive(OutputStream out, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(
        ("HTTP/1.1 "
                + status
                + " "
                + reason(status)
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  /**
   * A complete JSON response on a connection kept open afterwards, as a keep-alive server leaves
   * it: the connection ends only when the gateway closes it.
   */
  public static Behaviour keepAlive(int status, String body) {
    return (socket, out, server) -> {
      writeKeptAlive(out, status, body);
      while (!socket.isClosed() && socket.getInputStream().read() != -1) {
        // Wait for the gateway to close its end.
      }
    };
  }

  /**
   * An SSE response: each event text (e.g. "data: {...}") with a gap before every one but the
   * first.
   */
  public static Behaviour sse(Duration gap, String... events) {
    return (socket, out, server) -> {
      sseHead(out);
      writeEvents(out, server, gap, events);
    };
  }

  /** SSE events, then silence until the gateway gives up and the connection closes. */
  public static Behaviour sseThenStall(String... events) {
    return (socket, out, server) -> {
      sseHead(out);
      writeEvents(out, server, Duration.ZERO, events);
      while (!socket.isClosed() && socket.getInputStream().read() != -1) {
        // Wait for the gateway to close its end.
      }
      server.sawDisconnect();
    };
  }

  /**
   * SSE events, then a connection reset. The reset waits a moment after the last event: a reset
   * makes the receiver drop bytes it has not read yet, and a cut that loses the chunks before it is
   * a different fault (a reset before the first byte).
   */
  public static Behaviour sseThenReset(String... events) {
    return (socket, out, server) -> {
      sseHead(out);
      writeEvents(out, server, Duration.ZERO, events);
      Thread.sleep(100);
      reset(socket);
    };
  }

  /** Closes the connection with a reset before sending any header. */
  public static Behaviour resetBeforeHeaders() {
    return (socket, out, server) -> reset(socket);
  }

  /** Never answers; the connection stays open until the gateway or the server closes it. */
  public static Behaviour stall() {
    return (socket, out, server) -> {
      while (!socket.isClosed() && socket.getInputStream().read() != -1) {
        // Wait for the gateway to close its end.
      }
    };
  }

  /** Writes these bytes as the whole response. */
  public static Behaviour raw(String response) {
    return (socket, out, server) -> {
      out.write(response.getBytes(StandardCharsets.UTF_8));
      out.flush();
    };
  }

  private static void sseHead(OutputStream out) throws IOException {
    out.write(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static void writeEvents(
      OutputStream out, ScriptedUpstreamServer server, Duration gap, String... events)
      throws IOException, InterruptedException {
    for (int i = 0; i < events.length; i++) {
      if (i > 0 && !gap.isZero()) {
        Thread.sleep(gap);
      }
      try {
        out.write((events[i] + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        server.sawDisconnect();
        throw e;
      }
    }
  }

  private static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 529 -> "Overloaded";
      default -> "Status";
    };
  }
}
