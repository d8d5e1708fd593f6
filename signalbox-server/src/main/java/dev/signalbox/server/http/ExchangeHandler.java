package dev.signalbox.server.http;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.ErrorBodies;
import dev.signalbox.core.wire.Json;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads each request of a connection whole, refusing at once what must not be read (a decoder
 * failure, a body over the limit, a compressed body), and serves one at a time: from the event loop
 * when the handler can serve it without blocking, else on a virtual thread; pipelined requests wait
 * their turn. Anything refused here is answered in OpenAI's error shape and the connection closed,
 * since what follows it on the wire cannot be trusted.
 *
 * <p>The connection keeps reading while a request is served: a client that waits for its answer
 * sends nothing meanwhile, and pausing and resuming the reads cost two selector updates per
 * request. What a pipelining client sends during an answer is held, and reading pauses until the
 * answer is written, so it cannot make the gateway buffer more than one read's worth.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(ExchangeHandler.class.getName());

  private final ServerLimits limits;
  private final ConnectionGuard guard;
  private final Handler handler;
  private final Executor threads;
  private final ConnectionEvents events;
  private final Queue<Pending> waiting = new ArrayDeque<>();
  private final Queue<Object> held = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private HttpRequest head;
  private CompositeByteBuf body;
  private boolean keepAlive;
  private boolean refused;
  private boolean serving;
  private boolean inputEnded;

  private record Pending(HttpCall call, boolean keepAlive) {}

  ExchangeHandler(
      ServerLimits limits,
      ConnectionGuard guard,
      Handler handler,
      Executor threads,
      ConnectionEvents events) {
    this.limits = limits;
    this.guard = guard;
    this.handler = handler;
    this.threads = threads;
    this.events = events;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (serving && !refused) {
      held.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    read(msg);
  }

  private void read(Object msg) {
    try {
      if (refused) {
        return;
      }
      if (msg instanceof HttpRequest request) {
        started(request);
      }
      if (!refused && head != null && msg instanceof HttpContent content) {
        part(content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void started(HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      refuse(HttpRefusal.undecodable(request.decoderResult().cause()));
      return;
    }
    guard.headersRead();
    var refusal = HttpRefusal.ofHead(request, limits.maxBodyBytes());
    if (refusal.isPresent()) {
      refuse(refusal.get());
      return;
    }
    if (HttpUtil.is100ContinueExpected(request)) {
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    }
    head = request;
    keepAlive = HttpUtil.isKeepAlive(request);
    body = ctx.alloc().compositeBuffer(1_024);
  }

  private void part(HttpContent content) {
    if (content.decoderResult().isFailure()) {
      refuse(HttpRefusal.malformedBody(content.decoderResult().cause()));
      return;
    }
    if (body.readableBytes() + (long) content.content().readableBytes() > limits.maxBodyBytes()) {
      refuse(HttpRefusal.tooLarge(limits.maxBodyBytes()));
      return;
    }
    if (content.content().isReadable()) {
      body.addComponent(true, content.content().retain());
    }
    if (content instanceof LastHttpContent) {
      HttpCall call = call(head, ByteBufUtil.getBytes(body));
      release();
      waiting.add(new Pending(call, keepAlive));
      if (!serving) {
        next();
      }
    }
  }

  private HttpCall call(HttpRequest request, byte[] bytes) {
    Map<String, String> headers = new HashMap<>();
    request
        .headers()
        .forEach(
            h ->
                headers.merge(
                    h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b));
    String uri = request.uri();
    int question = uri.indexOf('?');
    String path =
        QueryStringDecoder.decodeComponent(question < 0 ? uri : uri.substring(0, question));
    return new HttpCall(
        request.method().name(),
        path,
        question < 0 ? "" : uri.substring(question + 1),
        headers,
        bytes,
        ctx.channel().remoteAddress() instanceof InetSocketAddress address
            && address.getAddress() != null
            && address.getAddress().isLoopbackAddress(),
        System.nanoTime());
  }

  /** Serves the next waiting request, or reads on: first what was held, then from the wire. */
  private void next() {
    Pending pending = waiting.poll();
    if (pending == null) {
      serving = false;
      guard.idle();
      Object msg;
      while (!serving && (msg = held.poll()) != null) {
        read(msg);
      }
      if (!serving && inputEnded) {
        ctx.close();
      } else if (!serving && !refused && !ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(true);
      }
      return;
    }
    serving = true;
    guard.serving();
    HttpCall call = pending.call();
    ChannelReply reply = new ChannelReply(ctx.channel(), pending.keepAlive(), this::written);
    Optional<CompletionStage<Void>> served;
    try {
      served = handler.serveWithoutBlocking(call, reply, threads);
    } catch (Throwable t) {
      served = Optional.of(CompletableFuture.failedFuture(t));
    }
    served.ifPresentOrElse(
        answer -> answer.whenComplete((ignored, failure) -> ended(call, reply, failure)),
        () ->
            threads.execute(
                () -> {
                  Throwable failure = null;
                  try {
                    handler.serve(call, reply);
                  } catch (Throwable t) {
                    failure = t;
                  }
                  ended(call, reply, failure);
                }));
  }

  /** After a handler: an unexpected failure is logged and answered, and no call goes unanswered. */
  private static void ended(HttpCall call, ChannelReply reply, Throwable failure) {
    if (failure instanceof CompletionException wrapped && wrapped.getCause() != null) {
      failure = wrapped.getCause();
    }
    if (failure != null) {
      LOG.log(
          Level.SEVERE, "unexpected failure serving " + call.method() + " " + call.path(), failure);
      if (!reply.started()) {
        reply.closeConnection();
        reply.send(
            500,
            "application/json",
            Json.bytes(
                ErrorBodies.of(
                    new SignalboxException(
                        ErrorKind.INTERNAL,
                        "The gateway failed unexpectedly; the failure is logged.",
                        null,
                        "internal_error"))));
      }
    }
    if (!reply.finished()) {
      reply.abort();
    }
  }

  /** On the event loop, once an answer is written. */
  private void written(boolean ok, boolean close) {
    if (!ok || close || refused) {
      ctx.close();
      return;
    }
    next();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof ConnectionGuard.LateRequest late) {
      long seconds = (late.headers() ? limits.headerTimeout() : limits.bodyTimeout()).toSeconds();
      answerAndClose(HttpRefusal.late(late.headers(), seconds));
    } else if (event instanceof ChannelInputShutdownEvent) {
      // A client that half-closes after its request still gets its answer; then the connection
      // closes, as it would have at once with nothing under way.
      inputEnded = true;
      if (!serving) {
        ctx.close();
      }
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  private void refuse(SignalboxException error) {
    events.closed("bad_request");
    answerAndClose(error);
  }

  private void answerAndClose(SignalboxException error) {
    refused = true;
    release();
    ctx.channel().config().setAutoRead(false);
    if (serving) {
      // The answer under way is written first; then the connection closes.
      return;
    }
    var response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(error.kind().httpStatus()),
            Unpooled.wrappedBuffer(Json.bytes(ErrorBodies.of(error))));
    response.headers().set("content-type", "application/json");
    response.headers().setInt("content-length", response.content().readableBytes());
    response.headers().set("connection", "close");
    ctx.writeAndFlush(response).addListener(f -> ctx.close());
  }

  private void release() {
    if (body != null) {
      body.release();
      body = null;
    }
    head = null;
  }

  private void releaseHeld() {
    Object msg;
    while ((msg = held.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    release();
    releaseHeld();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      // A client that resets its connection is not the gateway's problem: one line at FINE.
      LOG.fine(() -> "connection closed by its client: " + cause.getMessage());
    } else {
      LOG.warning("closing a connection after " + cause);
    }
    ctx.close();
  }
}
