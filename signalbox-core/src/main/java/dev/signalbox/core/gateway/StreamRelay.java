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
  private final Continuation continuation;
  private final StringBuilder answer = new StringBuilder();
  private final StringBuilder toolArguments = new StringBuilder();
  private final ToolLoops toolLoops;
  private final List<String> toolCallIds = new ArrayList<>();
  private boolean toolCalls;
  private boolean continued;

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
      Runnable onEnd) {
    this.tokens = tokens;
    this.toolLoops = toolLoops;
    this.exchange = exchange;
    this.current = committed;
    this.model = committed.model();
    this.first = first;
    this.rest = rest;
    this.continuation = continuation;
    this.onEnd = onEnd;
    this.nextCapCheck = exchange.streamedOutputCap() / 4;
  }

  public void relay(ChunkWriter out) throws InterruptedException {
    String id = "";
    String upstreamModel = "";
    long created = 0;
    try {
      Chunk chunk = first;
      if (exchange.request().nativeBody().isPresent()) {
        exchange.flag(
            first instanceof Chunk.Delta delta && !delta.nativeEvents().isEmpty()
                ? Ingress.PASSED_THROUGH
                : Ingress.TRANSLATED);
      }
      while (true) {
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
              chunk =
                  cut(
                      out,
                      json.path("id").asText(id),
                      json.path("created").asLong(created),
                      json.path("model").asText(upstreamModel));
              if (chunk == null) {
                return;
              }
              continue;
            }
            if (!send(out, event(plain.json().getBytes(StandardCharsets.UTF_8)))) {
              return;
            }
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
              chunk = cut(out, id, created, upstreamModel);
              if (chunk == null) {
                return;
              }
              continue;
            }
            byte[] bytes =
                delta.nativeEvents().isEmpty()
                    ? event(json)
                    : delta.nativeEvents().getBytes(StandardCharsets.UTF_8);
            if (!send(out, bytes)) {
              return;
            }
          }
          case Chunk.Done ended -> {
            Chunk.Done done = continued ? withPartialCounted(ended) : ended;
            Usage usage = exchange.counted(done.usage());
            if (exchange.request().includeUsage()) {
              ObjectNode usageChunk = Json.chunk(id, created, upstreamModel);
              usageChunk.putArray("choices");
              usageChunk.set("usage", Json.usage(usage));
              if (!send(out, event(usageChunk))) {
                return;
              }
            }
            exchange.streamEnded("ok", "");
            exchange.finishReason(done.finishReason());
            toolLoops.started(toolCallIds, model.name(), current.deployment().name());
            boolean delivered = send(out, DONE);
            exchange.finish(delivered ? "ok" : "client_cancelled", usage, model, "", recorded());
            return;
          }
          case Chunk.Broken broken -> {
            String label = broken.failure().label();
            exchange.streamEnded(label, broken.failure().message());
            if (!toolCalls && broken.failure().kind() != UpstreamFailure.Kind.CANCELLED) {
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
                chunk = resumed.get().first();
                continue;
              }
            }
            String message =
                "the upstream stream broke after it started: " + broken.failure().message();
            send(
                out,
                event(
                    ErrorBodies.error(ErrorKind.UPSTREAM_FAILED, message, null, "stream_broken")));
            exchange.finish("stream_broken", streamedSoFar(), model, message, recorded());
            return;
          }
        }
        chunk = rest.next();
      }
    } finally {
      onEnd.run();
    }
  }

  /** Writes bytes; when the client has gone, cancels the upstream, records it and returns false. */
  private boolean send(ChunkWriter out, byte[] bytes) {
    try {
      out.write(bytes);
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
  private Chunk.Done cut(ChunkWriter out, String id, long created, String upstreamModel) {
    rest.cancel();
    exchange.flag("limits:cut stream at " + exchange.streamedOutputCap() + " output tokens");
    ObjectNode finish = Json.chunk(id, created, upstreamModel);
    Json.choiceDelta(finish, "length");
    return send(out, event(finish)) ? new Chunk.Done(streamedSoFar(), "length") : null;
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
