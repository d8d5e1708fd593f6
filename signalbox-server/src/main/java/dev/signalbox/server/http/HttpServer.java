package dev.signalbox.server.http;

import dev.signalbox.core.net.IoLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP/1.1 server: Netty's event loops read and write, one virtual thread per request runs the
 * {@link Handler}. Each connection's pipeline is its {@link ConnectionGuard} (deadlines and the
 * connection limit), Netty's request decoder and response encoder, then the {@link ExchangeHandler}
 * that reads requests whole and serves them in turn.
 */
public final class HttpServer implements AutoCloseable {
  private final ExecutorService threads;
  private final Connections connections;
  private final Channel listener;

  private HttpServer(ExecutorService threads, Connections connections, Channel listener) {
    this.threads = threads;
    this.connections = connections;
    this.listener = listener;
  }

  /**
   * Binds and starts serving; {@code port} 0 picks a free port.
   *
   * @throws UncheckedIOException naming the address when it cannot be bound
   */
  public static HttpServer start(
      String host, int port, ServerLimits limits, Handler handler, ConnectionEvents events) {
    EventLoopGroup loops = IoLoops.shared();
    ExecutorService threads =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("signalbox-request-", 0).factory());
    Connections connections = new Connections(limits.maxConnections(), events);
    HttpDecoderConfig decoding =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(ServerLimits.MAX_REQUEST_LINE)
            .setMaxHeaderSize(ServerLimits.MAX_HEADER_BYTES)
            .setMaxChunkSize(64 * 1_024)
            .setStrictLineParsing(true);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(loops)
            .channel(IoLoops.transport().serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1_024)
            // Without TCP_NODELAY a small SSE chunk written after the headers waits for the
            // client's delayed ACK.
            .childOption(ChannelOption.TCP_NODELAY, true)
            // Connections read while serving (see ExchangeHandler): a client's half-close must not
            // end the connection before its answer.
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    ConnectionGuard guard = new ConnectionGuard(limits, connections, events);
                    channel
                        .pipeline()
                        .addLast("guard", guard)
                        .addLast("decoder", new HttpRequestDecoder(decoding))
                        .addLast("encoder", new HttpResponseEncoder())
                        .addLast(
                            "exchange",
                            new ExchangeHandler(limits, guard, handler, threads, events));
                  }
                });
    try {
      Channel listener = bootstrap.bind(host, port).syncUninterruptibly().channel();
      return new HttpServer(threads, connections, listener);
    } catch (Exception e) {
      threads.shutdownNow();
      if (e instanceof BindException bind) {
        throw new UncheckedIOException(
            new BindException("cannot listen on " + host + ":" + port + ": " + bind.getMessage()));
      }
      throw new UncheckedIOException(
          new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e));
    }
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  public int openConnections() {
    return connections.size();
  }

  /** Stops accepting connections; those open are served on. */
  public void stopAccepting() {
    listener.close().syncUninterruptibly();
  }

  /**
   * Closes every connection once its answer under way is written, waiting up to {@code grace} for
   * them (then closing what is left), and stops the request threads. The event loops are the
   * process's ({@link IoLoops}) and go on.
   */
  public void stop(Duration grace) {
    stopAccepting();
    connections.closeAll(grace);
    threads.shutdownNow();
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(2));
  }
}
