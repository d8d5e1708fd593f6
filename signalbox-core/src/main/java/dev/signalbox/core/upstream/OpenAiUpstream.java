package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.NativeBody;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.embeddings.EmbeddingsReply;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.PlainChunk;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Any OpenAI-compatible chat completions endpoint (OpenAI, Azure-style, vLLM, Ollama, Groq). The
 * client's body is forwarded as sent, with the upstream model id and, when streaming, a request for
 * usage; streamed chunks are relayed one by one. An embeddings request goes to the deployment's
 * {@code /embeddings} the same way, its answer kept as sent; so does a Responses request to {@code
 * /responses} when the deployment serves that API ({@code responses-api: true}), its answer or
 * events relayed as sent.
 */
public final class OpenAiUpstream implements Upstream {
  private static final int BODY_LIMIT = 64 * 1024 * 1024;

  private final DeploymentSpec spec;
  private final LoopHttpClient client;
  private final URI uri;
  private final URI embeddingsUri;
  private final URI responsesUri;
  private final Map<String, String> headers;
  private final TimeSource time;
  private final TokenCounter tokens;

  OpenAiUpstream(
      DeploymentSpec spec,
      LoopHttpClient client,
      Optional<String> apiKey,
      Map<String, String> extraHeaders,
      TimeSource time,
      TokenCounter tokens) {
    this.spec = spec;
    this.tokens = tokens;
    this.client = client;
    this.uri = spec.endpoint("/chat/completions");
    this.embeddingsUri = spec.endpoint("/embeddings");
    this.responsesUri = spec.endpoint("/responses");
    this.time = time;
    Map<String, String> h = new LinkedHashMap<>();
    apiKey.ifPresent(key -> h.put("authorization", "Bearer " + key));
    h.putAll(extraHeaders);
    this.headers = Map.copyOf(h);
  }

  @Override
  public UpstreamReply send(UpstreamCall call) throws InterruptedException {
    Optional<ObjectNode> embeddings =
        call.request().nativeBody(NativeBody.Protocol.OPENAI_EMBEDDINGS);
    if (embeddings.isPresent()) {
      return embeddings(embeddings.get(), call);
    }
    Optional<ObjectNode> responses =
        call.request().nativeBody(NativeBody.Protocol.OPENAI_RESPONSES);
    if (spec.responsesApi() && responses.isPresent()) {
      return responses(responses.get(), call);
    }
    boolean stream = call.request().stream();
    HttpExchange.Result result =
        HttpExchange.post(
            client, uri, stream ? headersWithAccept() : headers, chatBody(call), call, time);
    return switch (result) {
      case HttpExchange.Failed failed -> new UpstreamReply.Failed(failed.failure());
      case HttpExchange.Open open ->
          stream
              ? new UpstreamReply.Streaming(new OpenAiChunkStream(open.body(), call, tokens))
              : complete(open.body(), call);
    };
  }

  /**
   * A chat completion not sent on to another endpoint: a whole answer, or a stream whose first
   * chunk completes the stage, its rest then pushed ({@link dev.signalbox.api.ChunkStream#push}).
   */
  @Override
  public boolean sendsWithoutBlocking(ChatRequest request) {
    return request.nativeBody(NativeBody.Protocol.OPENAI_EMBEDDINGS).isEmpty()
        && !(spec.responsesApi()
            && request.nativeBody(NativeBody.Protocol.OPENAI_RESPONSES).isPresent());
  }

  @Override
  public CompletionStage<UpstreamReply> sendWithoutBlocking(UpstreamCall call) {
    if (!sendsWithoutBlocking(call.request())) {
      return Upstream.super.sendWithoutBlocking(call);
    }
    if (call.request().stream()) {
      return HttpExchange.postStream(client, uri, headersWithAccept(), chatBody(call), call, time)
          .thenCompose(
              result ->
                  switch (result) {
                    case HttpExchange.Failed failed ->
                        CompletableFuture.completedFuture(
                            new UpstreamReply.Failed(failed.failure()));
                    case HttpExchange.Open open -> {
                      OpenAiChunkStream chunks = new OpenAiChunkStream(open.body(), call, tokens);
                      yield chunks
                          .pushFromTheStart()
                          .thenApply(first -> new UpstreamReply.Streaming(chunks));
                    }
                  });
    }
    return HttpExchange.postWhole(client, uri, headers, chatBody(call), call, time, BODY_LIMIT)
        .thenApply(
            result ->
                switch (result) {
                  case HttpExchange.Failed failed -> new UpstreamReply.Failed(failed.failure());
                  case HttpExchange.Answered answered -> {
                    try {
                      yield completion(parseJson(answered.body()), answered.body());
                    } catch (Unreadable e) {
                      yield new UpstreamReply.Failed(e.failure);
                    }
                  }
                });
  }

  private static byte[] chatBody(UpstreamCall call) {
    return chatBody(call.request(), call.upstreamModel());
  }

  /**
   * The client's body as sent, with the upstream's model id and, streaming, a usage request. A copy
   * of the top level only, never written below it: the messages, most of a body, are not copied.
   */
  public static byte[] chatBody(ChatRequest request, String upstreamModel) {
    ObjectNode raw = request.raw();
    ObjectNode body = PassedThrough.withModel(raw, upstreamModel);
    if (request.stream()) {
      ObjectNode options = body.objectNode();
      if (raw.get("stream_options") instanceof ObjectNode asked) {
        options.setAll(asked);
      }
      options.put("include_usage", true);
      body.set("stream_options", options);
    }
    return Json.bytes(body);
  }

  private Map<String, String> headersWithAccept() {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("accept", "text/event-stream");
    return h;
  }

  private UpstreamReply embeddings(ObjectNode request, UpstreamCall call)
      throws InterruptedException {
    ObjectNode body = PassedThrough.body(request, call.upstreamModel(), false);
    JsonNode json;
    try {
      json =
          switch (HttpExchange.post(client, embeddingsUri, headers, Json.bytes(body), call, time)) {
            case HttpExchange.Failed failed -> throw new Unreadable(failed.failure());
            case HttpExchange.Open open -> readJson(open.body(), call);
          };
    } catch (Unreadable e) {
      return new UpstreamReply.Failed(e.failure);
    }
    if (!(json instanceof ObjectNode answer) || !json.path("data").isArray()) {
      return new UpstreamReply.Failed(
          UpstreamFailure.of(UpstreamFailure.Kind.MALFORMED, "answer has no data array"));
    }
    long reported = answer.path("usage").path("prompt_tokens").asLong(-1);
    Usage usage =
        reported >= 0
            ? new Usage(reported, 0, 0, false)
            : new Usage(tokens.count(call.request().lastUserText()), 0, 0, true);
    if (reported < 0) {
      answer.set("usage", EmbeddingsReply.usage(usage.promptTokens()));
    }
    return new UpstreamReply.Completed(Json.object(), usage, "stop", Optional.of(answer));
  }

  private UpstreamReply responses(ObjectNode request, UpstreamCall call)
      throws InterruptedException {
    boolean stream = call.request().stream();
    ObjectNode body = PassedThrough.body(request, call.upstreamModel(), stream);
    HttpExchange.Result result =
        HttpExchange.post(
            client,
            responsesUri,
            stream ? headersWithAccept() : headers,
            Json.bytes(body),
            call,
            time);
    JsonNode json;
    try {
      switch (result) {
        case HttpExchange.Failed failed -> {
          return new UpstreamReply.Failed(failed.failure());
        }
        case HttpExchange.Open open -> {
          if (stream) {
            return new UpstreamReply.Streaming(
                new ResponsesChunkStream(open.body(), call, time.now().getEpochSecond()));
          }
          json = readJson(open.body(), call);
        }
      }
    } catch (Unreadable e) {
      return new UpstreamReply.Failed(e.failure);
    }
    if (!(json instanceof ObjectNode answer) || !json.path("output").isArray()) {
      return new UpstreamReply.Failed(
          UpstreamFailure.of(UpstreamFailure.Kind.MALFORMED, "answer has no output array"));
    }
    ObjectNode completion = ResponsesMapping.completion(answer, time.now().getEpochSecond());
    return new UpstreamReply.Completed(
        completion,
        ResponsesMapping.usage(answer.path("usage")),
        completion.path("choices").path(0).path("finish_reason").asText(),
        Optional.of(answer));
  }

  /** Why an answer could not be read. */
  private static final class Unreadable extends Exception {
    private final transient UpstreamFailure failure;

    Unreadable(UpstreamFailure failure) {
      super(failure.message(), null, false, false);
      this.failure = failure;
    }
  }

  /** A whole answer's JSON (a missing node when empty). */
  private static JsonNode readJson(GuardedBody body, UpstreamCall call) throws Unreadable {
    return parseJson(readAll(body, call));
  }

  private static byte[] readAll(GuardedBody body, UpstreamCall call) throws Unreadable {
    try {
      return body.readAll(call.totalTimeout(), BODY_LIMIT);
    } catch (IOException e) {
      throw new Unreadable(
          body.timedOut()
              ? UpstreamFailure.of(
                  UpstreamFailure.Kind.TIMEOUT,
                  "no complete answer within " + HttpExchange.millis(call.totalTimeout()))
              : UpstreamFailure.of(
                  UpstreamFailure.Kind.RESET, "connection closed mid-answer: " + Causes.of(e)));
    } finally {
      body.close();
    }
  }

  /** A whole answer's JSON (a missing node when empty). */
  private static JsonNode parseJson(byte[] bytes) throws Unreadable {
    try {
      JsonNode json = Json.MAPPER.readTree(bytes);
      return json == null ? Json.MAPPER.missingNode() : json;
    } catch (IOException e) {
      throw new Unreadable(
          UpstreamFailure.of(
              UpstreamFailure.Kind.MALFORMED, "answer is not JSON: " + Causes.of(e)));
    }
  }

  private UpstreamReply complete(GuardedBody body, UpstreamCall call) {
    try {
      byte[] bytes = readAll(body, call);
      return completion(parseJson(bytes), bytes);
    } catch (Unreadable e) {
      return new UpstreamReply.Failed(e.failure);
    }
  }

  /** A whole answer, and the bytes it was read from (relayed as they are). */
  private UpstreamReply completion(JsonNode json, byte[] bytes) {
    if (!json.isObject() || !json.path("choices").isArray()) {
      return new UpstreamReply.Failed(
          UpstreamFailure.of(UpstreamFailure.Kind.MALFORMED, "answer has no choices array"));
    }
    ObjectNode object = (ObjectNode) json;
    String finish = object.path("choices").path(0).path("finish_reason").asText("stop");
    Usage usage = Json.readUsage(object.get("usage"));
    if (usage == null) {
      String text = object.path("choices").path(0).path("message").path("content").asText("");
      usage = new Usage(0, 0, tokens.count(text), true);
    }
    return new UpstreamReply.Completed(object, usage, finish, Optional.empty(), Optional.of(bytes));
  }

  /** Closes the connections kept for later calls. */
  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "openai(" + spec.name() + ")";
  }

  /** Relays an OpenAI SSE stream; the usage-only chunk is kept, not relayed. */
  private static final class OpenAiChunkStream extends SseChunkStream {
    private Usage usage;
    private String finishReason = "";

    /**
     * The answer's text so far: counted once at the end, and only if the upstream says no usage.
     */
    private final StringBuilder text = new StringBuilder();

    private final TokenCounter tokens;

    OpenAiChunkStream(GuardedBody body, UpstreamCall call, TokenCounter tokens) {
      super(body, call);
      this.tokens = tokens;
    }

    @Override
    Chunk onEvent(SseReader.Event event) {
      String data = event.data().trim();
      if (data.equals("[DONE]")) {
        return done();
      }
      if (data.isEmpty()) {
        return null;
      }
      if (!beforeFirstToken()) {
        // Most of a stream: text-only chunks, relayed as they came. The first chunk is read in
        // full, for the id, model and creation time that the gateway's own chunks repeat.
        Optional<String> plain = PlainChunk.text(data);
        if (plain.isPresent()) {
          text.append(plain.get());
          return new Chunk.Plain(data, plain.get());
        }
      }
      JsonNode json;
      try {
        json = Json.MAPPER.readTree(data);
      } catch (IOException e) {
        return malformed("stream event is not JSON", data);
      }
      if (!(json instanceof ObjectNode object)) {
        return malformed("stream event is not a JSON object", data);
      }
      if (object.has("error")) {
        JsonNode error = object.get("error");
        return new Chunk.Broken(
            UpstreamFailure.of(
                UpstreamFailure.Kind.HTTP_STATUS,
                "upstream error mid-stream: " + error.path("message").asText(error.toString())));
      }
      Usage reported = Json.readUsage(object.get("usage"));
      if (reported != null) {
        usage = reported;
      }
      JsonNode choices = object.path("choices");
      if (!choices.isArray() || choices.isEmpty()) {
        return null;
      }
      JsonNode choice = choices.get(0);
      if (choice.path("finish_reason").isTextual()) {
        finishReason = choice.get("finish_reason").asText();
      }
      JsonNode content = choice.path("delta").path("content");
      if (content.isTextual()) {
        text.append(content.asText());
      }
      tokenArrived();
      object.remove("usage");
      return new Chunk.Delta(object);
    }

    @Override
    Chunk endOfStream() {
      return finishReason.isEmpty()
          ? new Chunk.Broken(
              UpstreamFailure.of(UpstreamFailure.Kind.RESET, "stream ended before [DONE]"))
          : done();
    }

    private Chunk done() {
      Usage result = usage != null ? usage : new Usage(0, 0, tokens.count(text.toString()), true);
      return new Chunk.Done(result, finishReason.isEmpty() ? "stop" : finishReason);
    }
  }
}
