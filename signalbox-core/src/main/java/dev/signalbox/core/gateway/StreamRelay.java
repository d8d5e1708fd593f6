package dev.signalbox.core.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.dispatch.DispatchResult;
import dev.signalbox.core.dispatch.Exchange;
import dev.signalbox.core.net.IoLoops;
import dev.signalbox.core.routing.PlannedAttempt;
import dev.signalbox.core.session.ToolLoops;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.wire.ErrorBodies;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Relays a committed stream to the client as SSE: every chunk as it comes, a final usage chunk when
 * the client asked for one, then [DONE]. A failure past the commit boundary ends the stream with an
 * error event, unless the route continues text answers: then the text so far is resent as a final
 * assistant message to a deployment that accepts one, and its chunks carry on the same stream (the
 * join is flagged {@code continued} in the trace). Never after a tool call. A client that goes away
 * cancels the upstream. Either way the trace says what happened, and a stream that ends early is
 * charged what the provider bills for it: its prompt, and the output streamed so far (counted by
 * the gateway, so marked estimated). A stream whose output passes its cap (what limits reserved for
 * it, when they cut streams) is ended before the chunk that passes it, as if it had reached its
 * length, and charged what was sent.
 */
public final class StreamRelay {
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  /** The flag of a stream continued on another deployment after it broke. */
  public static final String CONTINUED = "continued";

  /** Resumes a broken text answer elsewhere; {@link #NONE} when the route does not. */
  @FunctionalInterface
  public interface Continuation {
    Continuation NONE = (broken, partial) -> Optional.empty();

    Optional<DispatchResult.Committed> resume(PlannedAttempt broken, String partial)
        throws InterruptedException;
  }

  private final Exchange exchange;
  private final TokenCounter tokens;
  private ModelSpec model;
  private PlannedAttempt current;
  private final Chunk first;
  private ChunkStream rest;
  private final Runnable onEnd;
  private final boolean endsWithoutBlocking;
  private final Continuation continuation;
  private final StringBuilder answer = new StringBuilder();
  private final StringBuilder toolArguments = new StringBuilder();
  private final ToolLoops toolLoops;
  private final List<String> toolCallIds = new ArrayList<>();
  private boolean toolCalls;
  private boolean continued;

  /** The stream's id, model and creation time, which the gateway's own chunks repeat. */
  private String id = "";

  private String upstreamModel = "";
  private long created;

  /** The tokens of the text before the break, which the continuation got as prompt. */
  private long continuedTokens;

  /**
   * The answer's length in characters past which its tokens are counted again against the cap: a
   * character is at most four tokens, so none can pass the cap sooner.
   */
  private long nextCapCheck;

  StreamRelay(
      Exchange exchange,
      PlannedAttempt committed,
      Chunk first,
      ChunkStream rest,
      Continuation continuation,
      TokenCounter tokens,
      ToolLoops toolLoops,
      Runnable onEnd,
      boolean endsWithoutBlocking) {
    this.tokens = tokens;
    this.toolLoops = toolLoops;
    this.exchange = exchange;
    this.current = committed;
    this.model = committed.model();
    this.first = first;
    this.rest = rest;
    this.continuation = continuation;
    this.onEnd = onEnd;
    this.endsWithoutBlocking = endsWithoutBlocking;
    this.nextCapCheck = exchange.streamedOutputCap() / 4;
  }

  /** What relaying one chunk leads to. */
  private sealed interface Step {}

  /** The next chunk is the stream's next. */
  private record Read() implements Step {}

  /** The next chunk is this one: the end of a stream cut at its cap, or a continuation's first. */
  private record Then(Chunk chunk) implements Step {}

  /** The stream broke where it may continue elsewhere, which takes a thread that may block. */
  private record Resume(Chunk.Broken broken) implements Step {}

  /** The relay has ended and traced the request. */
  private record Ended() implements Step {}

  private static final Step READ = new Read();
  private static final Step ENDED = new Ended();

  /** Relays the whole stream on this thread, which may block. */
  public void relay(ChunkWriter out) throws InterruptedException {
    try {
      flagIngress();
      relayFrom(out, first);
    } finally {
      onEnd.run();
    }
  }

  /**
   * Whether {@link #relayWithoutBlocking} may be used: the rest of the stream can be pushed to the
   * relay where it is read, and its end (the trace, the limits' settlement) never blocks.
   */
  public boolean relaysWithoutBlocking() {
    return endsWithoutBlocking && rest.pushes();
  }

  /**
   * Relays the first chunk on this thread (waiting for a slow client only where it may block, not
   * on an event loop), then each further one where the upstream's connection reads it, writing to
   * the client without waiting: a client that falls behind pauses the upstream until it catches up.
   * A stream that breaks where the route continues it goes on on a thread from {@code blocking}.
   * The result completes when the relay has ended.
   */
  public CompletableFuture<Void> relayWithoutBlocking(ChunkWriter out, Executor blocking)
      throws InterruptedException {
    CompletableFuture<Void> ended = new CompletableFuture<>();
    boolean pushed = false;
    try {
      flagIngress();
      boolean onLoop = IoLoops.current().isPresent();
      Step step = settle(out, handle(out, first, onLoop), onLoop);
      if (step instanceof Read) {
        rest.push(chunk -> pushed(out, chunk, blocking, ended));
        pushed = true;
      }
    } finally {
      if (!pushed) {
        onEnd.run();
        ended.complete(null);
      }
    }
    return ended;
  }

  /** On the loop that read it: relays a pushed chunk. */
  private void pushed(
      ChunkWriter out, Chunk chunk, Executor blocking, CompletableFuture<Void> ended) {
    Step step;
    try {
      step = settle(out, handle(out, chunk, true), true);
    } catch (InterruptedException | RuntimeException e) {
      rest.cancel();
      onEnd.run();
      ended.completeExceptionally(e);
      return;
    }
    switch (step) {
      case Read read -> {}
      case Resume resume ->
          blocking.execute(
              () -> {
                try {
                  relayFrom(out, resume.broken());
                  ended.complete(null);
                } catch (InterruptedException | RuntimeException e) {
                  ended.completeExceptionally(e);
                } finally {
                  onEnd.run();
                }
              });
      default -> {
        onEnd.run();
        ended.complete(null);
      }
    }
  }

  /** Relays from {@code chunk} to the end, reading the rest on this thread. */
  private void relayFrom(ChunkWriter out, Chunk chunk) throws InterruptedException {
    Step step = handle(out, chunk, false);
    while (true) {
      step = settle(out, step, false);
      if (!(step instanceof Read)) {
        return;
      }
      step = handle(out, rest.next(), false);
    }
  }

  /** Follows the steps that name their next chunk. */
  private Step settle(ChunkWriter out, Step step, boolean onLoop) throws InterruptedException {
    while (step instanceof Then then) {
      step = handle(out, then.chunk(), onLoop);
    }
    return step;
  }

  private void flagIngress() {
    if (exchange.request().nativeBody().isPresent()) {
      exchange.flag(
          first instanceof Chunk.Delta delta && !delta.nativeEvents().isEmpty()
              ? Ingress.PASSED_THROUGH
              : Ingress.TRANSLATED);
    }
  }

  /**
   * Relays one chunk. {@code onLoop}: on the thread that read it, which must not block: writes do
   * not wait, and a break that may continue elsewhere is left to a thread.
   */
  private Step handle(ChunkWriter out, Chunk chunk, boolean onLoop) throws InterruptedException {
    if (continued && chunk instanceof Chunk.Plain plain) {
      chunk = new Chunk.Delta(Json.object(plain.json())); // to take the first stream's id
    }
    switch (chunk) {
      case Chunk.Plain plain -> {
        int answered = answer.length();
        answer.append(plain.text());
        if (pastCap()) {
          answer.setLength(answered);
          ObjectNode json = Json.object(plain.json()); // only here: for its id and model
          Chunk.Done done =
              cut(
                  out,
                  json.path("id").asText(id),
                  json.path("created").asLong(created),
                  json.path("model").asText(upstreamModel),
                  onLoop);
          return done == null ? ENDED : new Then(done);
        }
        return send(out, event(plain.json().getBytes(StandardCharsets.UTF_8)), onLoop)
            ? READ
            : ENDED;
      }
      case Chunk.Delta delta -> {
        ObjectNode json = delta.json();
        if (continued) {
          // The client sees one stream: the continuation speaks with the first one's id and
          // model.
          json.put("id", id).put("model", upstreamModel).put("created", created);
          if (json.path("choices").path(0).path("delta") instanceof ObjectNode d) {
            d.remove("role");
          }
        }
        id = json.path("id").asText(id);
        upstreamModel = json.path("model").asText(upstreamModel);
        created = json.path("created").asLong(created);
        int answered = answer.length();
        int argued = toolArguments.length();
        JsonNode deltaNode = json.path("choices").path(0).path("delta");
        toolCalls |= deltaNode.has("tool_calls");
        for (JsonNode call : deltaNode.path("tool_calls")) {
          if (call.hasNonNull("id")) {
            toolCallIds.add(call.get("id").asText());
          }
          toolArguments.append(call.path("function").path("arguments").asText(""));
        }
        answer.append(deltaNode.path("content").asText(""));
        if (pastCap()) {
          answer.setLength(answered); // not sent, so not charged
          toolArguments.setLength(argued);
          Chunk.Done done = cut(out, id, created, upstreamModel, onLoop);
          return done == null ? ENDED : new Then(done);
        }
        byte[] bytes =
            delta.nativeEvents().isEmpty()
                ? event(json)
                : delta.nativeEvents().getBytes(StandardCharsets.UTF_8);
        return send(out, bytes, onLoop) ? READ : ENDED;
      }
      case Chunk.Done ended -> {
        Chunk.Done done = continued ? withPartialCounted(ended) : ended;
        Usage usage = exchange.counted(done.usage());
        if (exchange.request().includeUsage()) {
          ObjectNode usageChunk = Json.chunk(id, created, upstreamModel);
          usageChunk.putArray("choices");
          usageChunk.set("usage", Json.usage(usage));
          if (!send(out, event(usageChunk), onLoop)) {
            return ENDED;
          }
        }
        exchange.streamEnded("ok", "");
        exchange.finishReason(done.finishReason());
        toolLoops.started(toolCallIds, model.name(), current.deployment().name());
        boolean delivered = send(out, DONE, onLoop);
        exchange.finish(delivered ? "ok" : "client_cancelled", usage, model, "", recorded());
        return ENDED;
      }
      case Chunk.Broken broken -> {
        boolean mayContinue =
            !toolCalls
                && broken.failure().kind() != UpstreamFailure.Kind.CANCELLED
                && continuation != Continuation.NONE;
        if (mayContinue && onLoop) {
          return new Resume(broken);
        }
        String label = broken.failure().label();
        exchange.streamEnded(label, broken.failure().message());
        if (mayContinue) {
          Optional<DispatchResult.Committed> resumed =
              continuation.resume(current, answer.toString());
          if (resumed.isPresent()) {
            exchange.flag(CONTINUED);
            if (exchange.request().nativeBody().isPresent()) {
              exchange.flag(Ingress.TRANSLATED); // the continuation speaks chat completions
            }
            continued = true;
            continuedTokens = tokens.count(answer.toString());
            current = resumed.get().attempt();
            model = current.model();
            rest = resumed.get().rest();
            return new Then(resumed.get().first());
          }
        }
        String message =
            "the upstream stream broke after it started: " + broken.failure().message();
        send(
            out,
            event(ErrorBodies.error(ErrorKind.UPSTREAM_FAILED, message, null, "stream_broken")),
            onLoop);
        exchange.finish("stream_broken", streamedSoFar(), model, message, recorded());
        return ENDED;
      }
    }
  }

  /**
   * Writes bytes; when the client has gone, cancels the upstream, records it and returns false. On
   * the loop the write does not wait: a client that falls behind pauses the upstream until it has
   * caught up.
   */
  private boolean send(ChunkWriter out, byte[] bytes, boolean onLoop) {
    try {
      if (!onLoop) {
        out.write(bytes);
      } else if (!out.writeWithoutWaiting(bytes)) {
        ChunkStream paused = rest;
        paused.pause();
        out.whenCaughtUp(paused::resume);
      }
      return true;
    } catch (IOException e) {
      rest.cancel();
      exchange.streamEnded("cancelled", "client went away");
      exchange.finish(
          "client_cancelled", streamedSoFar(), model, "client went away mid-stream", recorded());
      return false;
    }
  }

  /**
   * Ends the stream at its cap: the upstream cancelled, a last chunk with finish reason {@code
   * length} sent; the end to relay next, or null when the client has gone.
   */
  private Chunk.Done cut(
      ChunkWriter out, String id, long created, String upstreamModel, boolean onLoop) {
    rest.cancel();
    exchange.flag("limits:cut stream at " + exchange.streamedOutputCap() + " output tokens");
    ObjectNode finish = Json.chunk(id, created, upstreamModel);
    Json.choiceDelta(finish, "length");
    return send(out, event(finish), onLoop) ? new Chunk.Done(streamedSoFar(), "length") : null;
  }

  /** Whether the output so far is past the stream's cap; counted only when it may be. */
  private boolean pastCap() {
    long cap = exchange.streamedOutputCap();
    long chars = (long) answer.length() + toolArguments.length();
    if (cap == Long.MAX_VALUE || chars <= nextCapCheck) {
      return false;
    }
    long counted = tokens.count(answer.toString()) + tokens.count(toolArguments.toString());
    nextCapCheck = chars + (cap - counted) / 4;
    return counted > cap;
  }

  /** What a stream that ended early is billed: the output so far, counted; the prompt is added. */
  private Usage streamedSoFar() {
    return new Usage(
        0, 0, tokens.count(answer.toString()) + tokens.count(toolArguments.toString()), true);
  }

  private String recorded() {
    return exchange.recordsAnswer() ? answer.toString() : "";
  }

  /**
   * The continuation's usage with the text before the break moved from its prompt to the answer
   * (counted by the gateway).
   */
  private Chunk.Done withPartialCounted(Chunk.Done done) {
    Usage u = done.usage();
    long moved = Math.min(continuedTokens, u.promptTokens());
    return new Chunk.Done(
        new Usage(
            u.promptTokens() - moved,
            u.cachedPromptTokens(),
            u.completionTokens() + continuedTokens,
            true),
        done.finishReason());
  }

  private static byte[] event(ObjectNode json) {
    return event(Json.bytes(json));
  }

  private static byte[] event(byte[] body) {
    byte[] event = new byte[body.length + 8];
    System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, event, 0, 6);
    System.arraycopy(body, 0, event, 6, body.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }
}
