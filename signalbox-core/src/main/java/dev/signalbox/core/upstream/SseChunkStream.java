package dev.signalbox.core.upstream;

import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Reads a provider's SSE stream under the call's deadlines: the first token within the first-token
 * timeout of sending the request (events before it, like pings, do not extend it), then each event
 * within the idle timeout. Subclasses turn events into chunks. Read by {@link #next()} for as long
 * as the caller likes, the rest may then be {@linkplain #push pushed}: each piece of the body is
 * parsed on the connection's event loop and its chunks handed on from there, under the same
 * deadlines, with nobody waiting.
 */
abstract class SseChunkStream implements ChunkStream {
  private final GuardedBody body;
  private final SseReader reader;
  private final long firstTokenDeadline;
  protected final UpstreamCall call;
  private boolean first = true;

  /** Whether the last chunk was handed out, or the stream cancelled: pushing has ended. */
  private volatile boolean over;

  /** Where pushed chunks go; on the connection's loop. */
  private Consumer<Chunk> receiver;

  /** Whether the body is pushed: {@link #next()} then only takes what waits in {@link #early}. */
  private volatile boolean pushing;

  /** Chunks pushed {@linkplain #pushFromTheStart from the start} before anyone took them. */
  private final Queue<Chunk> early = new ConcurrentLinkedQueue<>();

  SseChunkStream(GuardedBody body, UpstreamCall call) {
    this.body = body;
    this.reader = new SseReader(body.stream());
    this.call = call;
    this.firstTokenDeadline = body.openedAtNanos() + call.firstTokenTimeout().toNanos();
  }

  /** The chunk an event becomes, or null for an event with nothing to relay. */
  abstract Chunk onEvent(SseReader.Event event);

  /** What the end of the byte stream means when no final event came. */
  abstract Chunk endOfStream();

  /** Whether no token has arrived yet. */
  final boolean beforeFirstToken() {
    return first;
  }

  /** Marks the first token's arrival: from now on the idle timeout applies. */
  final void tokenArrived() {
    first = false;
  }

  @Override
  public final Chunk next() {
    if (pushing) {
      Chunk waiting = early.poll();
      if (waiting == null) {
        throw new IllegalStateException("a pushed stream's next() with no chunk waiting");
      }
      return waiting;
    }
    while (true) {
      SseReader.Event event;
      armForNextEvent();
      try {
        event = reader.next();
      } catch (IOException e) {
        body.close();
        return broken(e);
      } finally {
        body.disarm();
      }
      Chunk chunk = event == null ? endOfStream() : onEvent(event);
      if (chunk != null) {
        if (!(chunk instanceof Chunk.Delta || chunk instanceof Chunk.Plain)) {
          body.close();
        }
        return chunk;
      }
    }
  }

  @Override
  public final boolean pushes() {
    return true;
  }

  @Override
  public final void push(Consumer<Chunk> receiver) {
    if (pushing) {
      body.onLoop(
          () -> {
            for (Chunk waiting; (waiting = early.poll()) != null; ) {
              receiver.accept(waiting);
            }
            this.receiver = receiver;
          });
      return;
    }
    this.receiver = receiver;
    startPushing();
  }

  /**
   * Pushes from the start, with nobody to take the chunks yet: they wait, and the result completes
   * on the connection's loop once the first has come, which {@link #next()} then returns at once.
   * {@link #push} takes the rest. For a stream sent with nobody waiting for its first chunk.
   */
  final CompletableFuture<Void> pushFromTheStart() {
    CompletableFuture<Void> first = new CompletableFuture<>();
    receiver =
        chunk -> {
          early.add(chunk);
          first.complete(null);
        };
    startPushing();
    return first;
  }

  private void startPushing() {
    pushing = true;
    armForNextEvent();
    body.push(
        new LoopResponse.Pieces() {
          @Override
          public void piece(byte[] bytes) {
            reader.feed(bytes, 0, bytes.length);
            handOut();
          }

          @Override
          public void end() {
            reader.end();
            handOut();
          }

          @Override
          public void failed(IOException failure) {
            if (!over) {
              hand(broken(failure));
            }
          }
        });
  }

  /** On the loop: hands out the chunks of the events read, and the end if the body has ended. */
  private void handOut() {
    for (SseReader.Event event; !over && (event = reader.poll()) != null; ) {
      Chunk chunk = onEvent(event);
      if (chunk != null) {
        hand(chunk);
      }
      if (!over) {
        armForNextEvent();
      }
    }
    if (!over && reader.ended()) {
      hand(endOfStream());
    }
  }

  private void hand(Chunk chunk) {
    if (!(chunk instanceof Chunk.Delta || chunk instanceof Chunk.Plain)) {
      over = true;
      body.close();
    }
    receiver.accept(chunk);
  }

  private void armForNextEvent() {
    body.arm(
        first
            ? Duration.ofNanos(Math.max(0, firstTokenDeadline - System.nanoTime()))
            : call.idleTimeout());
  }

  @Override
  public final void pause() {
    body.pause();
  }

  @Override
  public final void resume() {
    body.resume();
  }

  private Chunk broken(IOException e) {
    if (body.cancelled()) {
      return new Chunk.Broken(
          UpstreamFailure.of(UpstreamFailure.Kind.CANCELLED, "cancelled: the client went away"));
    }
    if (body.timedOut()) {
      return new Chunk.Broken(
          first
              ? HttpExchange.noFirstToken(call)
              : UpstreamFailure.of(
                  UpstreamFailure.Kind.TIMEOUT,
                  "no chunk within " + HttpExchange.millis(call.idleTimeout())));
    }
    return new Chunk.Broken(
        UpstreamFailure.of(UpstreamFailure.Kind.RESET, "stream cut: " + Causes.of(e)));
  }

  static Chunk malformed(String what, String data) {
    return new Chunk.Broken(
        UpstreamFailure.of(
            UpstreamFailure.Kind.MALFORMED,
            what + ": " + (data.length() > 120 ? data.substring(0, 120) + "..." : data)));
  }

  @Override
  public final void cancel() {
    over = true;
    body.cancel();
  }
}
