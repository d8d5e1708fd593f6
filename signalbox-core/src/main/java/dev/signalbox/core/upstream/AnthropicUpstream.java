package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.NativeBody;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Anthropic's Messages API behind the OpenAI shape: requests are mapped by {@link
 * AnthropicMapping}, stream events are turned into chat.completion.chunk objects. A request that
 * came in as a Messages request is passed through instead: its own body is sent (only the model
 * changed), and the answer keeps the upstream's message or events for the client beside what they
 * mean to the gateway, so thinking signatures and {@code cache_control} survive. An overloaded
 * (529) answer falls back like any retryable status.
 */
public final class AnthropicUpstream implements Upstream {
  static final String API_VERSION = "2023-06-01";
  private static final int BODY_LIMIT = 64 * 1024 * 1024;

  private final DeploymentSpec spec;
  private final LoopHttpClient client;
  private final URI uri;
  private final Map<String, String> headers;
  private final TimeSource time;

  AnthropicUpstream(
      DeploymentSpec spec,
      LoopHttpClient client,
      Optional<String> apiKey,
      Map<String, String> extraHeaders,
      TimeSource time) {
    this.spec = spec;
    this.client = client;
    this.uri = spec.endpoint("/messages");
    this.time = time;
    Map<String, String> h = new LinkedHashMap<>();
    h.put("anthropic-version", API_VERSION);
    apiKey.ifPresent(key -> h.put("x-api-key", key));
    h.putAll(extraHeaders);
    this.headers = Map.copyOf(h);
  }

  /** The deployment's headers, with the client's {@code anthropic-version} and beta flags. */
  private Map<String, String> headersFor(UpstreamCall call) {
    if (call.clientHeaders().isEmpty()) {
      return headers;
    }
    Map<String, String> merged = new LinkedHashMap<>(headers);
    merged.putAll(call.clientHeaders());
    return merged;
  }

  @Override
  public UpstreamReply send(UpstreamCall call) throws InterruptedException {
    if (call.request().nativeBody(NativeBody.Protocol.OPENAI_EMBEDDINGS).isPresent()) {
      return new UpstreamReply.Failed(
          UpstreamFailure.status(
              400, Optional.empty(), "HTTP 400: Anthropic serves no embeddings (" + this + ")"));
    }
    boolean stream = call.request().stream();
    Optional<ObjectNode> passed = call.request().nativeBody(NativeBody.Protocol.ANTHROPIC_MESSAGES);
    ObjectNode body =
        passed
            .map(original -> AnthropicMapping.passedThrough(original, call.upstreamModel(), stream))
            .orElseGet(
                () -> AnthropicMapping.request(call.request(), call.upstreamModel(), stream));
    HttpExchange.Result result =
        HttpExchange.post(client, uri, headersFor(call), Json.bytes(body), call, time);
    return switch (result) {
      case HttpExchange.Failed failed -> new UpstreamReply.Failed(failed.failure());
      case HttpExchange.Open open ->
          stream
              ? new UpstreamReply.Streaming(
                  new AnthropicChunkStream(open.body(), call, time, passed.isPresent()))
              : complete(open.body(), call, passed.isPresent());
    };
  }

  private UpstreamReply complete(GuardedBody body, UpstreamCall call, boolean passthrough) {
    JsonNode message;
    try {
      message = Json.MAPPER.readTree(body.readAll(call.totalTimeout(), BODY_LIMIT));
    } catch (IOException e) {
      return new UpstreamReply.Failed(
          body.timedOut()
              ? UpstreamFailure.of(
                  UpstreamFailure.Kind.TIMEOUT,
                  "no complete answer within " + HttpExchange.millis(call.totalTimeout()))
              : UpstreamFailure.of(
                  body.cancelled()
                      ? UpstreamFailure.Kind.CANCELLED
                      : UpstreamFailure.Kind.MALFORMED,
                  "bad answer: " + Causes.of(e)));
    } finally {
      body.close();
    }
    if (message == null || !message.path("content").isArray()) {
      return new UpstreamReply.Failed(
          UpstreamFailure.of(UpstreamFailure.Kind.MALFORMED, "answer has no content array"));
    }
    ObjectNode completion = AnthropicMapping.completion(message, time.now().getEpochSecond());
    Usage usage = AnthropicMapping.usage(message.path("usage"), 0);
    return new UpstreamReply.Completed(
        completion,
        usage,
        completion.path("choices").path(0).path("finish_reason").asText(),
        passthrough ? Optional.of((ObjectNode) message) : Optional.empty());
  }

  /** Closes the connections kept for later calls. */
  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "anthropic(" + spec.name() + ")";
  }

  /**
   * Turns Anthropic stream events into OpenAI chunks; the role rides on the first content chunk.
   * Passing through, every event also reaches the client as sent: those before the first delta ride
   * on it, so that a stream failing before its first token can still fall back.
   */
  private static final class AnthropicChunkStream extends SseChunkStream {
    private final boolean passthrough;
    private final StringBuilder pending = new StringBuilder();
    private final long created;
    private String id = "msg";
    private String model = "";
    private JsonNode startUsage = Json.object();
    private long outputTokens;
    private String finishReason = "";
    private int toolIndex = -1;

    AnthropicChunkStream(
        GuardedBody body, UpstreamCall call, TimeSource time, boolean passthrough) {
      super(body, call);
      this.created = time.now().getEpochSecond();
      this.passthrough = passthrough;
    }

    @Override
    Chunk onEvent(SseReader.Event event) {
      JsonNode data;
      try {
        data = Json.MAPPER.readTree(event.data());
      } catch (IOException e) {
        return malformed("stream event is not JSON", event.data());
      }
      if (data == null) {
        return null;
      }
      String type = data.path("type").asText(event.event());
      Chunk chunk = translate(type, data);
      return passthrough ? passedThrough(type, event, chunk) : chunk;
    }

    /** The client's events so far on a chunk, once the first delta has come; else null. */
    private Chunk passedThrough(String type, SseReader.Event event, Chunk translated) {
      if (translated instanceof Chunk.Done || translated instanceof Chunk.Broken) {
        return translated;
      }
      pending.append("event: ").append(type).append("\ndata: ").append(event.data()).append("\n\n");
      if (beforeFirstToken()
          && (type.equals("content_block_delta") || type.equals("message_delta"))) {
        tokenArrived();
      }
      if (beforeFirstToken()) {
        return null;
      }
      ObjectNode json =
          translated instanceof Chunk.Delta delta ? delta.json() : Json.chunk(id, created, model);
      String events = pending.toString();
      pending.setLength(0);
      return new Chunk.Delta(json, events);
    }

    @Override
    Chunk endOfStream() {
      return new Chunk.Broken(
          UpstreamFailure.of(UpstreamFailure.Kind.RESET, "stream ended before message_stop"));
    }

    /** The chunk an event becomes, or null for events that carry nothing to relay. */
    private Chunk translate(String type, JsonNode data) {
      switch (type) {
        case "message_start" -> {
          JsonNode message = data.path("message");
          id = message.path("id").asText(id);
          model = message.path("model").asText(model);
          startUsage = message.path("usage");
          return null;
        }
        case "content_block_start" -> {
          JsonNode block = data.path("content_block");
          if (block.path("type").asText().equals("tool_use")) {
            toolIndex++;
            ObjectNode chunk = Json.chunk(id, created, model);
            ObjectNode delta = delta(chunk, null);
            ObjectNode tool = delta.putArray("tool_calls").addObject();
            tool.put("index", toolIndex);
            tool.put("id", block.path("id").asText());
            tool.put("type", "function");
            tool.putObject("function")
                .put("name", block.path("name").asText())
                .put("arguments", "");
            return new Chunk.Delta(chunk);
          }
          return null;
        }
        case "content_block_delta" -> {
          JsonNode d = data.path("delta");
          ObjectNode chunk = Json.chunk(id, created, model);
          switch (d.path("type").asText()) {
            case "text_delta" -> delta(chunk, null).put("content", d.path("text").asText());
            case "input_json_delta" -> {
              ObjectNode tool = delta(chunk, null).putArray("tool_calls").addObject();
              tool.put("index", Math.max(0, toolIndex));
              tool.putObject("function").put("arguments", d.path("partial_json").asText());
            }
            default -> {
              return null;
            }
          }
          return new Chunk.Delta(chunk);
        }
        case "message_delta" -> {
          finishReason =
              AnthropicMapping.finishReason(
                  data.path("delta").path("stop_reason").asText("end_turn"));
          outputTokens = data.path("usage").path("output_tokens").asLong(outputTokens);
          ObjectNode chunk = Json.chunk(id, created, model);
          delta(chunk, finishReason);
          return new Chunk.Delta(chunk);
        }
        case "message_stop" -> {
          Usage usage = AnthropicMapping.usage(startUsage, outputTokens);
          return new Chunk.Done(usage, finishReason.isEmpty() ? "stop" : finishReason);
        }
        case "error" -> {
          JsonNode error = data.path("error");
          int status = error.path("type").asText().equals("overloaded_error") ? 529 : 500;
          return new Chunk.Broken(
              UpstreamFailure.status(
                  status,
                  Optional.empty(),
                  "upstream error mid-stream: " + error.path("message").asText(error.toString())));
        }
        default -> {
          return null;
        }
      }
    }

    private ObjectNode delta(ObjectNode chunk, String finish) {
      ObjectNode delta = Json.choiceDelta(chunk, finish);
      if (beforeFirstToken()) {
        delta.put("role", "assistant");
        tokenArrived();
      }
      return delta;
    }
  }
}
