package dev.signalbox.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * An in-process upstream that answers from a script, one entry per call; when the script runs out,
 * it answers with the fallback. Records every call it got.
 */
public final class FakeUpstream implements Upstream {
  private final Deque<Function<UpstreamCall, UpstreamReply>> script = new ArrayDeque<>();
  private final List<UpstreamCall> calls = new ArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Function<UpstreamCall, UpstreamReply> fallback;

  public FakeUpstream(Function<UpstreamCall, UpstreamReply> fallback) {
    this.fallback = fallback;
  }

  public FakeUpstream then(UpstreamReply reply) {
    return then(call -> reply);
  }

  public FakeUpstream then(Function<UpstreamCall, UpstreamReply> answer) {
    lock.lock();
    try {
      script.add(answer);
    } finally {
      lock.unlock();
    }
    return this;
  }

  /** Answers every call not scripted with {@code answer}. */
  public FakeUpstream always(Function<UpstreamCall, UpstreamReply> answer) {
    this.fallback = answer;
    return this;
  }

  public List<UpstreamCall> calls() {
    lock.lock();
    try {
      return List.copyOf(calls);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public UpstreamReply send(UpstreamCall call) {
    Function<UpstreamCall, UpstreamReply> answer;
    lock.lock();
    try {
      calls.add(call);
      answer = script.isEmpty() ? fallback : script.poll();
    } finally {
      lock.unlock();
    }
    return answer.apply(call);
  }

  /** A completed answer of {@code text}: 10 prompt and 5 completion tokens, finished with stop. */
  public static UpstreamReply completed(String text) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putArray("choices")
        .addObject()
        .putObject("message")
        .put("role", "assistant")
        .put("content", text);
    return new UpstreamReply.Completed(body, new Usage(10, 0, 5, false), "stop");
  }

  /** A stream that yields the given chunks in order, then repeats the last one. */
  public static ChunkStream chunks(Chunk... chunks) {
    return new ChunkStream() {
      private int next;
      private boolean cancelled;

      @Override
      public Chunk next() {
        if (cancelled) {
          return new Chunk.Broken(
              dev.signalbox.api.UpstreamFailure.of(
                  dev.signalbox.api.UpstreamFailure.Kind.CANCELLED, "cancelled"));
        }
        return chunks[Math.min(next++, chunks.length - 1)];
      }

      @Override
      public void cancel() {
        cancelled = true;
      }
    };
  }
}
