package dev.signalbox.core.upstream;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.text.Redactor;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * An upstream whose failures carry no secret: whatever a provider echoes in an error (its body, a
 * streamed error event, a redirect) is redacted here, before it can reach a client, a log line, a
 * trace or a metric.
 */
final class RedactingUpstream implements Upstream {
  private final Upstream upstream;
  private final Redactor redactor;

  RedactingUpstream(Upstream upstream, Redactor redactor) {
    this.upstream = upstream;
    this.redactor = redactor;
  }

  @Override
  public UpstreamReply send(UpstreamCall call) throws InterruptedException {
    return redacted(upstream.send(call));
  }

  @Override
  public boolean sendsWithoutBlocking(ChatRequest request) {
    return upstream.sendsWithoutBlocking(request);
  }

  @Override
  public CompletionStage<UpstreamReply> sendWithoutBlocking(UpstreamCall call) {
    return upstream.sendWithoutBlocking(call).thenApply(this::redacted);
  }

  private UpstreamReply redacted(UpstreamReply reply) {
    return switch (reply) {
      case UpstreamReply.Failed failed -> new UpstreamReply.Failed(redacted(failed.failure()));
      case UpstreamReply.Streaming streaming ->
          new UpstreamReply.Streaming(new RedactingStream(streaming.chunks()));
      case UpstreamReply.Completed completed -> completed;
    };
  }

  private UpstreamFailure redacted(UpstreamFailure failure) {
    return new UpstreamFailure(
        failure.kind(), failure.status(), failure.retryAfter(), redactor.redact(failure.message()));
  }

  @Override
  public void close() {
    upstream.close();
  }

  private final class RedactingStream implements ChunkStream {
    private final ChunkStream chunks;

    RedactingStream(ChunkStream chunks) {
      this.chunks = chunks;
    }

    @Override
    public Chunk next() throws InterruptedException {
      return withFailureRedacted(chunks.next());
    }

    private Chunk withFailureRedacted(Chunk chunk) {
      return chunk instanceof Chunk.Broken broken
          ? new Chunk.Broken(redacted(broken.failure()))
          : chunk;
    }

    @Override
    public void cancel() {
      chunks.cancel();
    }

    @Override
    public boolean pushes() {
      return chunks.pushes();
    }

    @Override
    public void push(Consumer<Chunk> receiver) {
      chunks.push(chunk -> receiver.accept(withFailureRedacted(chunk)));
    }

    @Override
    public void pause() {
      chunks.pause();
    }

    @Override
    public void resume() {
      chunks.resume();
    }
  }
}
