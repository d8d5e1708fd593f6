package dev.signalbox.core.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One response of a {@link LoopHttpClient} read whole with nobody waiting on it: its connection's
 * loop gathers the body and completes {@link #result()}, then gives the connection back to the
 * pool. The result fails with {@link TimedOut} when the deadline passes first (the connection is
 * closed), and with the {@link IOException} that ended the exchange otherwise. For a stream, the
 * result comes with the headers instead, the rest of the response handed to a {@link LoopResponse}.
 */
final class WholeAnswer implements AnswerReceiver {
  /**
   * A whole answer; or, for a stream, its headers, with the {@code open} response that takes the
   * rest (and a null body).
   */
  record Whole(int status, HttpHeaders headers, byte[] body, LoopResponse open) {}

  /** The deadline passed before the answer's end. */
  static final class TimedOut extends IOException {
    private final boolean answered;

    TimedOut(boolean answered) {
      super("deadline passed", null);
      this.answered = answered;
    }

    /** Whether the headers had come. */
    boolean answered() {
      return answered;
    }
  }

  /** The connection failed after the headers came. */
  static final class CutShort extends IOException {
    CutShort(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private final LoopHttpClient client;
  private final Supplier<FullHttpRequest> request;
  private final int limit;
  private final boolean stream;
  private final CompletableFuture<Whole> result = new CompletableFuture<>();
  private final io.netty.channel.EventLoop home;
  private final ScheduledFuture<?> deadline;
  private volatile Channel channel;
  private boolean mayResend;
  private volatile HttpResponse head;
  private ByteArrayOutputStream body;

  /** A stream's response, once its headers came; what else reaches this goes to it. */
  private LoopResponse open;

  /**
   * @param request builds the request anew for each connection it is sent on
   * @param limit the most body bytes taken; a longer answer fails the exchange
   * @param stream whether the result comes with the headers, the body left to a {@link
   *     LoopResponse}
   * @param home the loop of the caller, that a new connection is made on (any when null)
   * @param timer the loop that keeps the deadline
   */
  WholeAnswer(
      LoopHttpClient client,
      Supplier<FullHttpRequest> request,
      int limit,
      boolean stream,
      Duration timeout,
      io.netty.channel.EventLoop home,
      io.netty.channel.EventLoop timer) {
    this.client = client;
    this.request = request;
    this.limit = limit;
    this.stream = stream;
    this.home = home;
    this.deadline = timer.schedule(this::timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  CompletableFuture<Whole> result() {
    return result;
  }

  /**
   * Sends the request on {@code connection}, on its loop.
   *
   * @param pooled whether the connection was idle in the pool: closed before an answer, it was
   *     likely closed by the peer as it was taken, and the request goes once more on a new one
   */
  void sendOn(Channel connection, boolean pooled) {
    if (connection.eventLoop().inEventLoop()) {
      send(connection, pooled);
    } else {
      connection.eventLoop().execute(() -> send(connection, pooled));
    }
  }

  private void send(Channel connection, boolean pooled) {
    this.channel = connection;
    if (result.isDone()) {
      connection.close(); // timed out while the connection was being made
      return;
    }
    mayResend = pooled;
    connection.pipeline().get(LoopResponse.Relay.class).expect(this);
    connection
        .writeAndFlush(request.get())
        .addListener(
            written -> {
              if (!written.isSuccess()) {
                fail(new LoopResponse.NoAnswer("request not sent: " + Causes.of(written.cause())));
              }
            });
  }

  @Override
  public boolean answered() {
    return head != null;
  }

  @Override
  public void head(HttpResponse response) {
    head = response;
    if (stream) {
      open = LoopResponse.answered(client, channel, response);
      if (result.complete(new Whole(response.status().code(), response.headers(), null, open))) {
        deadline.cancel(false);
      } else {
        open.abort(); // timed out as the headers came
      }
      return;
    }
    long length = HttpUtil.getContentLength(response, -1L);
    body = new ByteArrayOutputStream(length >= 0 && length <= limit ? (int) length : 1_024);
  }

  @Override
  public void data(ByteBuf piece) {
    if (open != null) {
      open.data(piece);
      return;
    }
    int length = piece.readableBytes();
    if (body.size() + (long) length > limit) {
      fail(new IOException("answer longer than " + limit + " bytes"));
      channel.close();
      return;
    }
    try {
      piece.getBytes(piece.readerIndex(), body, length);
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** The connection goes back to the pool before the answer is handed on, free for the next. */
  @Override
  public void end() {
    if (open != null) {
      open.end();
      return;
    }
    Channel connection = channel;
    if (result.isDone() || !HttpUtil.isKeepAlive(head)) {
      connection.close();
    } else {
      client.release(connection);
    }
    if (result.complete(
        new Whole(head.status().code(), head.headers(), body.toByteArray(), null))) {
      deadline.cancel(false);
    }
  }

  /** On the connection's loop. */
  @Override
  public void fail(IOException failure) {
    if (open != null) {
      open.fail(failure);
      return;
    }
    if (failure instanceof LoopResponse.NoAnswer && mayResend && !result.isDone()) {
      mayResend = false;
      LoopResponse.Relay stale = channel.pipeline().get(LoopResponse.Relay.class);
      if (stale != null) {
        stale.forget(this); // its close must not end the request sent again
      }
      client.connectThenSend(this, home);
      return;
    }
    failed(failure);
  }

  /** Anywhere: ends the exchange with {@code failure} unless it has ended. */
  void failed(IOException failure) {
    if (result.completeExceptionally(answered() ? new CutShort(failure) : failure)) {
      deadline.cancel(false);
    }
  }

  private void timedOut() {
    if (result.completeExceptionally(new TimedOut(answered()))) {
      Channel connection = channel;
      if (connection != null) {
        connection.close();
      }
    }
  }
}
