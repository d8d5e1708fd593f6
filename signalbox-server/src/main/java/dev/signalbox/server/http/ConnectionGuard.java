package dev.signalbox.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of a connection: it knows which phase the connection is in and holds it to that
 * phase's deadline. A request's line and headers must arrive within the header timeout of its first
 * byte (of connecting, for the first request), its body within the body timeout of its headers; an
 * idle connection lasts the keep-alive timeout. Serving a request has no deadline here: the
 * gateway's own timeouts bound it.
 *
 * <p>Phases change on the connection's event loop; {@link #reading()}, {@link #betweenRequests()}
 * and {@link #since()} are read from others when a new connection needs a slot.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
  enum Phase {
    CONNECTED,
    IDLE,
    HEADERS,
    BODY,
    SERVING
  }

  private final ServerLimits limits;
  private final Connections connections;
  private final ConnectionEvents events;
  private volatile Phase phase = Phase.CONNECTED;
  private volatile long since = System.nanoTime();
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> deadline;
  private boolean closing; // on the event loop

  /** Sent down the pipeline when a request is not read in time; its reader answers 408. */
  record LateRequest(boolean headers) {}

  ConnectionGuard(ServerLimits limits, Connections connections, ConnectionEvents events) {
    this.limits = limits;
    this.connections = connections;
    this.events = events;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    if (!connections.admit(this)) {
      ctx.close();
      return;
    }
    arm(limits.headerTimeout());
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (phase == Phase.IDLE && msg instanceof ByteBuf bytes && bytes.isReadable()) {
      enter(Phase.HEADERS, limits.headerTimeout());
    } else if (phase == Phase.CONNECTED && msg instanceof ByteBuf bytes && bytes.isReadable()) {
      phase = Phase.HEADERS;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    connections.remove(this);
    disarm();
    super.channelInactive(ctx);
  }

  /** The request line and headers are in; the body is next. */
  void headersRead() {
    if (phase != Phase.SERVING) {
      enter(Phase.BODY, limits.bodyTimeout());
    }
  }

  /** A whole request is in and being served. */
  void serving() {
    phase = Phase.SERVING;
    since = System.nanoTime();
    disarm();
  }

  /** The answer is written; the connection waits for the next request, or closes if it must. */
  void idle() {
    if (closing) {
      ctx.close();
      return;
    }
    enter(Phase.IDLE, limits.keepAliveTimeout());
  }

  /**
   * Closes the connection now, or, while a request is served, once its answer is written: the
   * answer's last bytes may still be on their way to the event loop when the gateway counts the
   * request done. The future completes when it is closed.
   */
  Future<Void> closeWhenAnswered() {
    ctx.executor()
        .execute(
            () -> {
              if (phase == Phase.SERVING) {
                closing = true;
              } else {
                ctx.close();
              }
            });
    return ctx.channel().closeFuture();
  }

  /** Whether a request is on its way in: connected, or headers or body under way. */
  boolean reading() {
    Phase now = phase;
    return now == Phase.CONNECTED || now == Phase.HEADERS || now == Phase.BODY;
  }

  /** Whether the connection waits between requests. */
  boolean betweenRequests() {
    return phase == Phase.IDLE;
  }

  /** When the current phase began, in {@link System#nanoTime()}. */
  long since() {
    return since;
  }

  /** Closes the connection to free its slot; safe from any thread. */
  void evict() {
    if (ctx != null) {
      ctx.channel().close();
    }
  }

  private void enter(Phase next, Duration timeout) {
    phase = next;
    since = System.nanoTime();
    arm(timeout);
  }

  private void arm(Duration timeout) {
    disarm();
    deadline = ctx.executor().schedule(this::expired, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  private void expired() {
    deadline = null;
    switch (phase) {
      case CONNECTED -> {
        events.closed("header_timeout");
        ctx.close();
      }
      case HEADERS -> {
        events.closed("header_timeout");
        ctx.fireUserEventTriggered(new LateRequest(true));
      }
      case BODY -> {
        events.closed("body_timeout");
        ctx.fireUserEventTriggered(new LateRequest(false));
      }
      case IDLE -> {
        events.closed("keep_alive_timeout");
        ctx.close();
      }
      case SERVING -> {}
    }
  }
}
