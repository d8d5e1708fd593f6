package dev.signalbox.core.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.dispatch.Exchange;
import dev.signalbox.core.upstream.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Relays a committed stream to the client as SSE: every chunk as it comes, a final usage chunk when
 * the client asked for one, then [DONE]. A failure past the commit boundary ends the stream with an
 * error event; a client that goes away cancels the upstream. Either way the trace says what happened.
 */
public final class StreamRelay {
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private final Exchange exchange;
  private final ModelSpec model;
  private final Chunk first;
  private final ChunkStream rest;
  private final Runnable onEnd;
  private final StringBuilder answer = new StringBuilder();

  StreamRelay(Exchange exchange, ModelSpec model, Chunk first, ChunkStream rest, Runnable onEnd) {
    this.exchange = exchange;
    this.model = model;
    this.first = first;
    this.rest = rest;
    this.onEnd = onEnd;
  }

  public void relay(ChunkWriter out) throws InterruptedException {
    String id = "";
    String upstreamModel = "";
    long created = 0;
    try {
      Chunk chunk = first;
      while (true) {
        switch (chunk) {
          case Chunk.Delta delta -> {
            ObjectNode json = delta.json();
            id = json.path("id").asText(id);
            upstreamModel = json.path("model").asText(upstreamModel);
            created = json.path("created").asLong(created);
            if (exchange.recordsAnswer()) {
              answer.append(json.path("choices").path(0).path("delta").path("content").asText(""));
            }
            if (!send(out, event(json))) {
              return;
            }
          }
          case Chunk.Done done -> {
            if (exchange.request().includeUsage()) {
              ObjectNode usage = Json.chunk(id, created, upstreamModel);
              usage.putArray("choices");
              usage.set("usage", Json.usage(done.usage()));
              if (!send(out, event(usage))) {
                return;
              }
            }
            exchange.streamEnded("ok", "");
            boolean delivered = send(out, DONE);
            exchange.finish(delivered ? "ok" : "client_cancelled", done.usage(), model, "", answer.toString());
            return;
          }
          case Chunk.Broken broken -> {
            String label = broken.failure().label();
            exchange.streamEnded(label, broken.failure().message());
            String message = "the upstream stream broke after it started: " + broken.failure().message();
            send(out, event(ErrorBodies.error(ErrorKind.UPSTREAM_FAILED, message, null, "stream_broken")));
            exchange.finish("stream_broken", Usage.ZERO, model, message, answer.toString());
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
      exchange.finish("client_cancelled", Usage.ZERO, model, "client went away mid-stream", answer.toString());
      return false;
    }
  }

  private static byte[] event(ObjectNode json) {
    byte[] body = Json.bytes(json);
    byte[] event = new byte[body.length + 8];
    System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, event, 0, 6);
    System.arraycopy(body, 0, event, 6, body.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }
}
