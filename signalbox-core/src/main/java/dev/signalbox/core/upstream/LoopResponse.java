package dev.signalbox.core.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One response of a {@link LoopHttpClient}: the event loop puts its headers, the pieces of its body
 * and its end (or a failure) on a queue, in order, and the caller takes them, blocking. The loop
 * stops reading while more than {@link #PAUSE_AT} bytes wait, so a slow reader holds back its own
 * upstream and nothing else. The caller may instead have the rest of the body {@linkplain #push
 * pushed} to it on the loop, from where it stopped reading.
 */
final class LoopResponse implements AnswerReceiver, AutoCloseable {
  private static final Object END = new Object();
  private static final long PAUSE_AT = 256 * 1024;
  private static final long RESUME_AT = 64 * 1024;

  /**
   * How long a response closed before its end may take to reach it: a stream is closed once its
   * last event is read, usually just before the chunked body's terminator arrives.
   */
  private static final long DRAIN_MILLIS = 1_000;

  private static final int ENDED = 1;
  private static final int CLOSED = 2;
  private static final int ABORTED = 4;

  private final LoopHttpClient client;
  private final Channel channel;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicInteger state = new AtomicInteger();
  private final Body body = new Body();
  private HttpResponse head;

  /** On the loop: whether the headers came. */
  private boolean answered;

  /** On the loop: where the body goes once it is pushed; null while it is queued. */
  private Pieces pushing;

  /** What takes a pushed body, on the connection's loop. */
  interface Pieces {
    void piece(byte[] bytes);

    void end();

    void failed(IOException failure);
  }

  /** The connection closed, or the request could not be written, before any answer. */
  static final class NoAnswer extends IOException {
    NoAnswer(String message) {
      super(message);
    }
  }

  LoopResponse(LoopHttpClient client, Channel channel) {
    this.client = client;
    this.channel = channel;
  }

  /**
   * On the loop: a response whose headers came to another receiver, which hands it the rest of the
   * exchange ({@link WholeAnswer} for a stream sent without blocking).
   */
  static LoopResponse answered(LoopHttpClient client, Channel channel, HttpResponse head) {
    LoopResponse response = new LoopResponse(client, channel);
    response.head = head;
    response.answered = true;
    channel.pipeline().get(Relay.class).expect(response);
    return response;
  }

  /** On the loop: writes the request, the response to it coming to this. */
  void send(FullHttpRequest request) {
    channel.pipeline().get(Relay.class).expect(this);
    channel
        .writeAndFlush(request)
        .addListener(
            written -> {
              if (!written.isSuccess()) {
                fail(new NoAnswer("request not sent: " + Causes.of(written.cause())));
              }
            });
  }

  /** Waits for the headers; closes the connection if the wait is interrupted or fails. */
  void awaitHead() throws IOException, InterruptedException {
    Object first;
    try {
      first = queue.take();
    } catch (InterruptedException e) {
      abort();
      throw e;
    }
    if (first instanceof IOException failure) {
      abort();
      throw failure;
    }
    head = (HttpResponse) first;
  }

  int status() {
    return head.status().code();
  }

  HttpHeaders headers() {
    return head.headers();
  }

  /** The body's Content-Length, or -1 when it has none. */
  long contentLength() {
    return HttpUtil.getContentLength(head, -1L);
  }

  InputStream body() {
    return body;
  }

  /**
   * Done with the response: its connection goes back to the pool once the body's end has come (at
   * once if it has), and is closed if the end does not come within {@link #DRAIN_MILLIS}.
   */
  @Override
  public void close() {
    int before = state.getAndAccumulate(CLOSED, (a, b) -> a | b);
    if ((before & CLOSED) != 0) {
      return;
    }
    if ((before & ENDED) != 0) {
      giveBack();
    } else {
      channel.config().setAutoRead(true);
      channel
          .eventLoop()
          .schedule(
              () -> {
                if (state.compareAndSet(CLOSED, CLOSED | ABORTED)) {
                  channel.close();
                }
              },
              DRAIN_MILLIS,
              TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Hands the rest of the body to {@code pieces} on the connection's loop: first what the caller
   * had taken and not read (perhaps nothing), then what waits in the queue, then each piece as it
   * comes. The caller reads no more.
   */
  void push(Pieces pieces) {
    byte[] leftover = body.unread();
    channel
        .eventLoop()
        .execute(
            () -> {
              pieces.piece(leftover); // even when empty: the receiver may hold what it read
              for (Object next; (next = queue.poll()) != null; ) {
                switch (next) {
                  case byte[] bytes -> pieces.piece(bytes);
                  case IOException failure -> pieces.failed(failure);
                  default -> pieces.end();
                }
              }
              queued.set(0);
              pushing = pieces;
              if ((state.get() & ABORTED) == 0) {
                channel.config().setAutoRead(true);
              }
            });
  }

  /** Runs {@code work} on the connection's loop: at once when called there. */
  void onLoop(Runnable work) {
    if (channel.eventLoop().inEventLoop()) {
      work.run();
    } else {
      channel.eventLoop().execute(work);
    }
  }

  /** While pushed: stops reading from the connection, for a receiver that cannot keep up. */
  void pause() {
    channel.config().setAutoRead(false);
  }

  /** While pushed: reads again. */
  void resume() {
    channel.config().setAutoRead(true);
  }

  /** Closes the connection now; a read blocked on the body fails. */
  void abort() {
    state.getAndAccumulate(CLOSED | ABORTED, (a, b) -> a | b);
    queue.offer(new IOException("connection closed"));
    channel.close();
  }

  private void giveBack() {
    if (head != null && HttpUtil.isKeepAlive(head)) {
      client.release(channel);
    } else {
      channel.close();
    }
  }

  @Override
  public boolean answered() {
    return answered;
  }

  @Override
  public void head(HttpResponse response) {
    answered = true;
    queue.offer(response);
  }

  @Override
  public void data(ByteBuf piece) {
    if ((state.get() & CLOSED) != 0) {
      return; // nobody reads it any more
    }
    byte[] bytes = ByteBufUtil.getBytes(piece);
    if (pushing != null) {
      pushing.piece(bytes);
      return;
    }
    queue.offer(bytes);
    if (queued.addAndGet(bytes.length) > PAUSE_AT) {
      channel.config().setAutoRead(false);
    }
  }

  @Override
  public void end() {
    // Marked before it is queued: a caller who reads the end and closes finds the connection free.
    int before = state.getAndAccumulate(ENDED, (a, b) -> a | b);
    if (pushing != null) {
      if ((before & ABORTED) != 0) {
        // A body that ends when its connection closes seems to end when it is aborted; a read
        // of it fails then, as a blocked one does.
        pushing.failed(new IOException("connection closed"));
      } else {
        pushing.end();
      }
    } else {
      queue.offer(END);
    }
    if (before == CLOSED) {
      giveBack();
    }
  }

  @Override
  public void fail(IOException failure) {
    if (pushing != null) {
      pushing.failed(failure);
    } else {
      queue.offer(failure);
    }
  }

  /** The body as the caller reads it. */
  private final class Body extends InputStream {
    private byte[] piece = new byte[0];
    private int at;
    private IOException failure;
    private boolean ended;

    @Override
    public int read() throws IOException {
      return fill() ? piece[at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(length, piece.length - at);
      System.arraycopy(piece, at, into, offset, n);
      at += n;
      return n;
    }

    @Override
    public int available() {
      return piece.length - at;
    }

    /** What was taken from the queue and not yet read; after this, nothing is read. */
    byte[] unread() {
      byte[] unread = Arrays.copyOfRange(piece, at, piece.length);
      at = piece.length;
      return unread;
    }

    /** Whether a byte is ready to read, waiting for the next piece if needed. */
    private boolean fill() throws IOException {
      if ((state.get() & ABORTED) != 0 && failure == null) {
        failure = new IOException("connection closed"); // what was read ahead is not wanted now
      }
      while (at == piece.length || failure != null) {
        if (failure != null) {
          throw failure;
        }
        if (ended) {
          return false;
        }
        Object next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading the answer");
        }
        if (next == END) {
          ended = true;
        } else if (next instanceof IOException e) {
          failure = e;
        } else {
          piece = (byte[]) next;
          at = 0;
          if (queued.addAndGet(-piece.length) < RESUME_AT && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
          }
        }
      }
      return true;
    }

    @Override
    public void close() {
      LoopResponse.this.close();
    }
  }

  /** A connection's handler, on its loop: hands what it reads to the response expecting it. */
  static final class Relay extends ChannelInboundHandlerAdapter {
    private final LoopHttpClient client;
    private AnswerReceiver current;

    Relay(LoopHttpClient client) {
      this.client = client;
    }

    void expect(AnswerReceiver response) {
      current = response;
    }

    /** Drops {@code response} if it is the one expected, on the loop. */
    void forget(AnswerReceiver response) {
      if (current == response) {
        current = null;
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        AnswerReceiver response = current;
        if (response == null) {
          ctx.close(); // nothing was asked for on this connection
          return;
        }
        if (malformed(msg, response, ctx)) {
          return;
        }
        if (msg instanceof HttpResponse head) {
          response.head(head);
        }
        if (msg instanceof HttpContent content) {
          ByteBuf bytes = content.content();
          if (bytes.isReadable()) {
            response.data(bytes);
          }
          if (msg instanceof LastHttpContent) {
            current = null;
            response.end();
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private boolean malformed(Object msg, AnswerReceiver response, ChannelHandlerContext ctx) {
      DecoderResult result =
          msg instanceof HttpResponse head
              ? head.decoderResult()
              : msg instanceof HttpContent content ? content.decoderResult() : null;
      if (result == null || !result.isFailure()) {
        return false;
      }
      current = null;
      response.fail(new IOException("malformed response: " + Causes.of(result.cause())));
      ctx.close();
      return true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      client.closed(ctx.channel());
      AnswerReceiver response = current;
      current = null;
      if (response != null) {
        response.fail(
            response.answered()
                ? new IOException("connection closed before the end of the answer")
                : new NoAnswer("connection closed before an answer"));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      AnswerReceiver response = current;
      current = null;
      if (response != null) {
        response.fail(
            cause instanceof IOException io ? io : new IOException(Causes.of(cause), cause));
      }
      ctx.close();
    }
  }
}
