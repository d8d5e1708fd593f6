package dev.signalbox.core.upstream;

import dev.signalbox.core.net.IoLoops;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLException;

/**
 * An HTTP/1.1 client on the process's event loops ({@link IoLoops}, the HTTP server's), with its
 * own keep-alive pool of at most {@code maxIdle} connections to one host. With {@link #post} the
 * caller blocks (on a virtual thread, the gateway's) for the response headers and then for each
 * piece of the body, which the loop reads and hands over; every deadline is the caller's to keep,
 * by interrupting the wait for headers or aborting the response. With {@link #postWhole} nobody
 * waits: the loop reads the whole answer and completes a future, keeping the deadline itself, and a
 * call from a loop goes on a connection of that loop. A pooled connection costs nothing while idle:
 * its loop sees the peer close it and drops it.
 *
 * <p>Helidon's blocking client, which this replaces, watched each pooled connection with a virtual
 * thread reading in 101 ms slices for as long as the socket's read timeout: a thread started, a
 * timed read and a hand-off of the first byte for every call, and a core's tenth for an idle
 * gateway's 64 connections (docs/results/helidon-idle-monitor-20261204.txt).
 */
final class LoopHttpClient implements AutoCloseable {
  /** Headers up to 64 KB (Netty's default is 8 KB; some providers send long ones). */
  private static final HttpDecoderConfig DECODER =
      new HttpDecoderConfig().setMaxHeaderSize(64 * 1024).setMaxChunkSize(64 * 1024);

  /** Where connections are made for {@link #postWhole}: the caller must not wait for DNS. */
  private static final Executor CONNECTING =
      Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("signalbox-upstream-connect-", 0).factory());

  private final String host;
  private final int port;
  private final String hostHeader;
  private final SslContext tls;
  private final int maxIdle;
  private final Bootstrap bootstrap;
  private final Deque<Channel> idle = new ArrayDeque<>();
  private boolean closed;

  /**
   * @param base the scheme, host and port every request goes to
   */
  static LoopHttpClient of(URI base, Duration connectTimeout, int maxIdle) {
    return new LoopHttpClient(
        base, connectTimeout, maxIdle, "https".equals(base.getScheme()) ? DefaultTls.get() : null);
  }

  /**
   * @param tls the TLS context of an {@code https} base, null for plain HTTP
   */
  LoopHttpClient(URI base, Duration connectTimeout, int maxIdle, SslContext tls) {
    this.host = base.getHost();
    this.tls = tls;
    int defaultPort = tls == null ? 80 : 443;
    this.port = base.getPort() > 0 ? base.getPort() : defaultPort;
    this.hostHeader = port == defaultPort ? host : host + ":" + port;
    this.maxIdle = maxIdle;
    this.bootstrap =
        new Bootstrap()
            .group(IoLoops.shared())
            .channel(IoLoops.transport().socketChannel())
            // Without TCP_NODELAY a request body written after its headers can wait for the
            // upstream's delayed ACK.
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (tls != null) {
                      channel.pipeline().addLast(tls.newHandler(channel.alloc(), host, port));
                    }
                    channel
                        .pipeline()
                        .addLast(
                            new HttpClientCodec(), new LoopResponse.Relay(LoopHttpClient.this));
                  }
                });
  }

  /**
   * Sends a POST on a pooled or new connection and waits for the response headers. A pooled
   * connection that closes before any answer was probably closed by the peer as it was taken (its
   * keep-alive timeout): the request goes once more, on a new connection, as other HTTP clients do.
   *
   * @throws IOException the connection could not be made, or closed before the headers came
   * @throws InterruptedException the wait was interrupted; the connection is closed
   */
  LoopResponse post(URI uri, Map<String, String> headers, byte[] body)
      throws IOException, InterruptedException {
    Channel pooled = pooled();
    if (pooled != null) {
      try {
        return send(pooled, uri, headers, body);
      } catch (LoopResponse.NoAnswer staleConnection) {
        // Sent again below on a new connection.
      }
    }
    return send(connect(), uri, headers, body);
  }

  private LoopResponse send(Channel channel, URI uri, Map<String, String> headers, byte[] body)
      throws IOException, InterruptedException {
    FullHttpRequest request = request(uri, headers, body);
    LoopResponse response = new LoopResponse(this, channel);
    channel.eventLoop().execute(() -> response.send(request));
    response.awaitHead();
    return response;
  }

  private FullHttpRequest request(URI uri, Map<String, String> headers, byte[] body) {
    String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, target, Unpooled.wrappedBuffer(body));
    request.headers().set(HttpHeaderNames.HOST, hostHeader);
    headers.forEach(request.headers()::set);
    request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return request;
  }

  /**
   * Sends a POST and reads its whole answer, blocking nobody: on a pooled connection at once (from
   * its loop, or handed to it), else on a new one that a virtual thread makes, since resolving the
   * host may block. The answer completes the result on the connection's loop; so does the failure
   * that ended the exchange, or {@link WholeAnswer.TimedOut} once {@code timeout} has passed, which
   * also closes the connection. A pooled connection closed before any answer is retried once on a
   * new one, as {@link #post} does.
   *
   * @param limit the most body bytes read; a longer answer fails the exchange
   */
  CompletableFuture<WholeAnswer.Whole> postWhole(
      URI uri, Map<String, String> headers, byte[] body, Duration timeout, int limit) {
    return exchange(uri, headers, body, timeout, limit, false);
  }

  /**
   * As {@link #postWhole}, for a stream: the result comes with the response headers, within {@code
   * timeout}, and its {@link WholeAnswer.Whole#open open} response takes the rest.
   */
  CompletableFuture<WholeAnswer.Whole> postStream(
      URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
    return exchange(uri, headers, body, timeout, 0, true);
  }

  private CompletableFuture<WholeAnswer.Whole> exchange(
      URI uri,
      Map<String, String> headers,
      byte[] body,
      Duration timeout,
      int limit,
      boolean stream) {
    // From a loop, a connection of that loop: the answer then comes back to the thread that will
    // write it to the client, with no hand-over between loops.
    EventLoop home = IoLoops.current().orElse(null);
    WholeAnswer answer =
        new WholeAnswer(
            this,
            () -> request(uri, headers, body),
            limit,
            stream,
            timeout,
            home,
            home != null ? home : IoLoops.shared().next());
    Channel pooled;
    try {
      pooled = pooled(home);
    } catch (IOException e) {
      answer.failed(e);
      return answer.result();
    }
    if (pooled != null) {
      answer.sendOn(pooled, true);
    } else {
      connectThenSend(answer, home);
    }
    return answer.result();
  }

  /**
   * Makes a new connection on {@code home} (any loop when null) from a virtual thread, then sends
   * {@code answer}'s request on it.
   */
  void connectThenSend(WholeAnswer answer, EventLoop home) {
    CONNECTING.execute(
        () -> {
          try {
            answer.sendOn(connect(home != null ? bootstrap.clone(home) : bootstrap), false);
          } catch (IOException e) {
            answer.failed(e);
          } catch (InterruptedException e) {
            answer.failed(new java.io.InterruptedIOException("interrupted while connecting"));
          }
        });
  }

  /** The connection used last that is still open, if one waits in the pool. */
  private synchronized Channel pooled() throws IOException {
    if (closed) {
      throw new IOException("client closed");
    }
    for (Channel pooled; (pooled = idle.pollFirst()) != null; ) {
      if (pooled.isActive()) {
        return pooled;
      }
    }
    return null;
  }

  /**
   * The connection of {@code home} used last that is still open, if one waits in the pool; another
   * loop's is left for that loop, since a new connection costs once what a hand-over between loops
   * would cost on every call. Any loop's when {@code home} is null.
   */
  private synchronized Channel pooled(EventLoop home) throws IOException {
    if (home == null) {
      return pooled();
    }
    if (closed) {
      throw new IOException("client closed");
    }
    for (var pooled = idle.iterator(); pooled.hasNext(); ) {
      Channel channel = pooled.next();
      if (!channel.isActive()) {
        pooled.remove();
      } else if (channel.eventLoop() == home) {
        pooled.remove();
        return channel;
      }
    }
    return null;
  }

  private Channel connect() throws IOException, InterruptedException {
    return connect(bootstrap);
  }

  private Channel connect(Bootstrap on) throws IOException, InterruptedException {
    // Resolved here, on the caller's thread: the loop must not wait for DNS.
    ChannelFuture connected = on.connect(new InetSocketAddress(InetAddress.getByName(host), port));
    try {
      connected.await();
    } catch (InterruptedException e) {
      connected.channel().close();
      throw e;
    }
    if (!connected.isSuccess()) {
      Throwable cause = connected.cause();
      throw cause instanceof IOException io ? io : new IOException(Causes.of(cause), cause);
    }
    return connected.channel();
  }

  /** Takes back a connection whose answer was read to its end. */
  void release(Channel channel) {
    synchronized (this) {
      if (!closed && idle.size() < maxIdle && channel.isActive()) {
        idle.addFirst(channel);
        return;
      }
    }
    channel.close();
  }

  /** Forgets a connection that closed. */
  synchronized void closed(Channel channel) {
    idle.remove(channel);
  }

  /** How many connections wait in the pool now. */
  synchronized int idleConnections() {
    return idle.size();
  }

  @Override
  public void close() {
    Channel[] toClose;
    synchronized (this) {
      closed = true;
      toClose = idle.toArray(Channel[]::new);
      idle.clear();
    }
    for (Channel channel : toClose) {
      channel.close();
    }
  }

  /** The JDK's trust store and host-name check, built at the first {@code https} deployment. */
  private static final class DefaultTls {
    private static final SslContext CONTEXT = build();

    static SslContext get() {
      return CONTEXT;
    }

    private static SslContext build() {
      try {
        return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
      } catch (SSLException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
