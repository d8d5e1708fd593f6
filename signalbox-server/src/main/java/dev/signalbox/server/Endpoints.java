package dev.signalbox.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.NativeBody;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.embeddings.EmbeddingsRequest;
import dev.signalbox.core.gateway.AccessLog;
import dev.signalbox.core.gateway.Caller;
import dev.signalbox.core.gateway.ChunkWriter;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.GatewayMetrics;
import dev.signalbox.core.gateway.Handled;
import dev.signalbox.core.gateway.Ingress;
import dev.signalbox.core.keys.KeyJson;
import dev.signalbox.core.limits.ScopeUsage;
import dev.signalbox.core.messages.MessagesReply;
import dev.signalbox.core.messages.MessagesRequest;
import dev.signalbox.core.messages.MessagesStream;
import dev.signalbox.core.net.IoLoops;
import dev.signalbox.core.responses.ResponseStore;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.FeedbackStore;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.ErrorBodies;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.StrictJson;
import dev.signalbox.core.wire.Truncated;
import dev.signalbox.server.http.Handler;
import dev.signalbox.server.http.HttpCall;
import dev.signalbox.server.http.Reply;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * The gateway's HTTP API: each call checked against the {@link BrowserGuard}, then served by its
 * endpoint through {@link Gateway}. Every refusal is an OpenAI-shaped error body.
 */
final class Endpoints implements Handler {
  private static final String JSON = "application/json";
  private static final String MESSAGES = "/v1/messages";
  private static final String CHAT_COMPLETIONS = "/v1/chat/completions";

  /**
   * The largest chat request served from the event loop: counting a prompt's tokens, which a route
   * may read, takes time in proportion to its length, and a loop must not be held up long.
   */
  static final int LOOP_BODY_LIMIT = 16 * 1024;

  private final Gateway gateway;
  private final GatewayMetrics metrics;
  private final Reloader reloader;
  private final Optional<AccessLog> accessLog;
  private final FeedbackStore feedbackStore;
  private final ResponsesApi responses;
  private final AdminKeysApi adminKeys;
  private final AdminApi admin;
  private final Dashboard dashboard;

  Endpoints(
      Gateway gateway,
      GatewayMetrics metrics,
      Reloader reloader,
      Optional<AccessLog> accessLog,
      FeedbackStore feedbackStore,
      ResponseStore responseStore,
      AdminSources adminSources) {
    this.gateway = gateway;
    UiSessions sessions = new UiSessions(new SecureRandom(), Ticker.systemTicker());
    this.admin = new AdminApi(gateway, adminSources, sessions, TimeSource.SYSTEM);
    this.dashboard = new Dashboard(gateway, sessions, admin);
    this.responses = new ResponsesApi(gateway, responseStore);
    this.adminKeys = new AdminKeysApi(gateway);
    this.metrics = metrics;
    this.reloader = reloader;
    this.accessLog = accessLog;
    this.feedbackStore = feedbackStore;
  }

  @Override
  public void serve(HttpCall call, Reply reply) throws InterruptedException {
    try {
      route(call, reply);
    } catch (SignalboxException e) {
      error(reply, e, call.path().startsWith(MESSAGES));
    }
  }

  /**
   * A chat completion of at most {@link #LOOP_BODY_LIMIT} bytes, when its key is checked without a
   * shared store's read, is served from the event loop as far as the gateway can take it without
   * blocking; anything else, on a virtual thread.
   */
  @Override
  public Optional<CompletionStage<Void>> serveWithoutBlocking(
      HttpCall call, Reply reply, Executor blocking) {
    if (!call.path().equals(CHAT_COMPLETIONS)
        || !call.method().equals("POST")
        || call.body().length > LOOP_BODY_LIMIT
        || !gateway.authenticatesWithoutBlocking()) {
      return Optional.empty();
    }
    try {
      if (!guarded(call, reply)) {
        return Optional.of(CompletableFuture.completedFuture(null));
      }
      Caller caller = caller(call);
      requireJson(call);
      ChatRequest request = ChatRequestParser.parse(call.body());
      return Optional.of(
          gateway
              .handleWithoutBlocking(request, caller, Ingress.CHAT_COMPLETIONS, blocking)
              .thenCompose(handled -> answerChatWithoutBlocking(reply, handled, blocking))
              .exceptionally(
                  failure -> {
                    Throwable cause =
                        failure instanceof CompletionException c ? c.getCause() : failure;
                    if (!(cause instanceof SignalboxException e)) {
                      throw new CompletionException(cause);
                    }
                    error(reply, e, false);
                    return null;
                  }));
    } catch (SignalboxException e) {
      error(reply, e, false);
      return Optional.of(CompletableFuture.completedFuture(null));
    }
  }

  private void route(HttpCall call, Reply reply) throws InterruptedException {
    if (!guarded(call, reply)) {
      return;
    }
    switch (call.method() + " " + call.path()) {
      case "POST " + CHAT_COMPLETIONS -> chat(call, reply);
      case "POST /v1/messages" -> messages(call, reply);
      case "POST /v1/messages/count_tokens" -> countTokens(call, reply);
      case "POST /v1/embeddings" -> embeddings(call, reply);
      case "GET /v1/models" -> models(call, reply);
      case "GET /v1/usage" -> usage(call, reply);
      case "GET /health" -> json(reply, 200, Json.object().put("status", "ok"));
      case "GET /ready" -> ready(call, reply);
      case "GET /metrics" -> {
        gateway.authenticateScrape(call.header("authorization"), call.loopback());
        reply.send(
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.scrape().getBytes(StandardCharsets.UTF_8));
      }
      case "POST /v1/feedback" -> feedback(call, reply);
      case "POST /admin/reload" -> reload(call, reply);
      case "GET /admin/pool" -> {
        gateway.authenticateAdmin(call.header("authorization"));
        json(reply, 200, Json.object().set("deployments", TraceJson.pool(gateway.pool())));
      }
      default -> {
        if (call.path().startsWith(AdminApi.PATH)) {
          admin.serve(call, reply);
          return;
        }
        if (Dashboard.serves(call.path())) {
          dashboard.serve(call, reply);
          return;
        }
        boolean served =
            call.path().startsWith(ResponsesApi.PATH)
                ? responses.serve(call, reply, caller(call))
                : call.path().startsWith(AdminKeysApi.PATH) && adminKeys.serve(call, reply);
        if (!served) {
          throw unknown(call);
        }
      }
    }
  }

  /**
   * Checks the call against the {@link BrowserGuard} and adds its CORS headers; false when it is
   * answered already (a preflight).
   */
  private boolean guarded(HttpCall call, Reply reply) {
    GatewayConfig config = gateway.config();
    BrowserGuard browsers = new BrowserGuard(config.auth().keys().isEmpty(), config.server());
    Optional<SignalboxException> refusal = browsers.refusal(call);
    if (refusal.isPresent()) {
      throw refusal.get();
    }
    browsers.corsHeaders(call).forEach(reply::header);
    if (browsers.preflight(call)) {
      reply.send(204, "text/plain", new byte[0]);
      return false;
    }
    return true;
  }

  private void chat(HttpCall call, Reply reply) throws InterruptedException {
    Caller caller = caller(call);
    requireJson(call);
    answerChat(reply, gateway.handle(ChatRequestParser.parse(call.body()), caller));
  }

  /**
   * Answers from the thread the gateway answered on, which may be an event loop: a stream that can
   * be is relayed from there and its upstream's loop; one that cannot, on a thread of {@code
   * blocking}. Completes when answered.
   */
  private static CompletionStage<Void> answerChatWithoutBlocking(
      Reply reply, Handled handled, Executor blocking) {
    if (!(handled instanceof Handled.Streaming streaming)) {
      answerChat(reply, handled);
      return CompletableFuture.completedFuture(null);
    }
    if (!streaming.relay().relaysWithoutBlocking()) {
      if (IoLoops.current().isEmpty()) {
        answerChat(reply, handled); // already on a thread that may block
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.runAsync(() -> answerChat(reply, handled), blocking);
    }
    handled.info().headers().forEach(reply::header);
    Reply.BodyStream out = startStream(reply);
    try {
      return streaming
          .relay()
          .relayWithoutBlocking(writer(out), blocking)
          .whenComplete((relayed, failure) -> out.end());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the relay has ended and traced the request
      out.end();
      return CompletableFuture.completedFuture(null);
    }
  }

  /** A stream is relayed on the caller's thread, which may block: the gateway hands it one. */
  private static void answerChat(Reply reply, Handled handled) {
    handled.info().headers().forEach(reply::header);
    switch (handled) {
      case Handled.Rejected rejected ->
          refuse(reply, rejected.error(), ErrorBodies.of(rejected.error()));
      case Handled.Completed completed -> reply.send(200, JSON, completed.bytes());
      case Handled.Streaming streaming -> {
        try {
          stream(reply, streaming);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the relay has ended and traced the request
        }
      }
    }
  }

  /**
   * Anthropic's Messages API on the same router: read as a chat request, carrying its own body for
   * Anthropic upstreams, and answered in its own shape.
   */
  private void messages(HttpCall call, Reply reply) throws InterruptedException {
    Caller caller = caller(call);
    requireJson(call);
    ObjectNode body = StrictJson.object(call.body(), "");
    ChatRequest request =
        ChatRequestParser.parse(MessagesRequest.toChat(body))
            .withNativeBody(new NativeBody(NativeBody.Protocol.ANTHROPIC_MESSAGES, body));
    Handled handled = gateway.handle(request, caller, Ingress.ANTHROPIC_MESSAGES);
    handled.info().headers().forEach(reply::header);
    switch (handled) {
      case Handled.Rejected rejected ->
          refuse(reply, rejected.error(), MessagesReply.error(rejected.error()));
      case Handled.Completed completed ->
          json(
              reply,
              200,
              completed.nativeBody().orElseGet(() -> MessagesReply.message(completed.body())));
      case Handled.Streaming streaming -> stream(reply, streaming, MessagesStream::new);
    }
  }

  /**
   * OpenAI's embeddings API on the same router, to the route's embedding models; the upstream's
   * answer as it sent it.
   */
  private void embeddings(HttpCall call, Reply reply) throws InterruptedException {
    Caller caller = caller(call);
    requireJson(call);
    ChatRequest request = EmbeddingsRequest.toChat(StrictJson.object(call.body(), ""));
    Handled handled = gateway.handle(request, caller, Ingress.OPENAI_EMBEDDINGS);
    handled.info().headers().forEach(reply::header);
    switch (handled) {
      case Handled.Rejected rejected ->
          refuse(reply, rejected.error(), ErrorBodies.of(rejected.error()));
      case Handled.Completed completed ->
          json(reply, 200, completed.nativeBody().orElseGet(completed::body));
      case Handled.Streaming streaming ->
          throw new IllegalStateException("an embeddings request never streams");
    }
  }

  private void countTokens(HttpCall call, Reply reply) {
    caller(call);
    requireJson(call);
    ObjectNode body = StrictJson.object(call.body(), "");
    if (!body.has("max_tokens")) {
      body.put("max_tokens", 1); // counting needs no answer length
    }
    ChatRequest request = ChatRequestParser.parse(MessagesRequest.toChat(body));
    json(reply, 200, Json.object().put("input_tokens", gateway.promptTokens(request)));
  }

  private static void stream(Reply reply, Handled.Streaming streaming) throws InterruptedException {
    stream(reply, streaming, out -> out);
  }

  static void stream(Reply reply, Handled.Streaming streaming, UnaryOperator<ChunkWriter> shape)
      throws InterruptedException {
    Reply.BodyStream out = startStream(reply);
    try {
      streaming.relay().relay(shape.apply(writer(out)));
    } finally {
      out.end();
    }
  }

  private static Reply.BodyStream startStream(Reply reply) {
    reply.header("cache-control", "no-cache");
    return reply.stream(200, "text/event-stream");
  }

  private static ChunkWriter writer(Reply.BodyStream out) {
    return new ChunkWriter() {
      @Override
      public void write(byte[] bytes) throws IOException {
        try {
          out.write(bytes);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while writing to the client");
        }
      }

      @Override
      public boolean writeWithoutWaiting(byte[] bytes) throws IOException {
        return out.writeWithoutWaiting(bytes);
      }

      @Override
      public void whenCaughtUp(Runnable then) {
        out.whenCaughtUp(then);
      }
    };
  }

  private void feedback(HttpCall call, Reply reply) throws InterruptedException {
    Caller caller = caller(call);
    requireJson(call);
    Feedback feedback = Feedback.parse(call.body(), gateway.time().now());
    feedbackStore.record(feedback, caller.tenant());
    json(
        reply,
        200,
        Json.object()
            .put("object", "feedback")
            .put("request_id", feedback.requestId())
            .put("score", feedback.score())
            .put("recorded", true));
  }

  private void models(HttpCall call, Reply reply) {
    Caller caller = caller(call);
    GatewayConfig config = gateway.config();
    ObjectNode body = Json.object().put("object", "list");
    ArrayNode data = body.putArray("data");
    config.routes().keySet().stream()
        .filter(caller::allows)
        .forEach(name -> model(data, name, "signalbox:route", config.reachableModels(name)));
    config.models().values().stream()
        .filter(model -> caller.allows(model.name()))
        .forEach(model -> model(data, model.name(), "signalbox:model", List.of(model)));
    json(reply, 200, body);
  }

  /**
   * A model entry with what a client needs to size its requests: the largest context any of the
   * entry's models has (a route excludes, per request, the models too small for it) and the
   * capabilities at least one of them has.
   */
  private static void model(ArrayNode data, String name, String owner, List<ModelSpec> models) {
    ObjectNode entry =
        data.addObject()
            .put("id", name)
            .put("object", "model")
            .put("created", 0)
            .put("owned_by", owner);
    entry.put("context_window", models.stream().mapToInt(ModelSpec::contextWindow).max().orElse(0));
    ArrayNode capabilities = entry.putArray("capabilities");
    models.stream()
        .flatMap(m -> m.capabilities().stream())
        .distinct()
        .sorted()
        .forEach(c -> capabilities.add(c.key()));
  }

  /** The caller's own scopes: limits, spend and reservations this period, what remains. */
  private void usage(HttpCall call, Reply reply) {
    Caller caller = caller(call);
    Optional<String> user =
        Optional.ofNullable(new QueryStringDecoder(call.query(), false).parameters().get("user"))
            .map(values -> values.get(0));
    ObjectNode body = Json.object().put("object", "usage").put("tenant", caller.tenant());
    ArrayNode scopes = body.putArray("scopes");
    gateway.usage(caller, user).forEach(scope -> scopes.add(scopeJson(scope)));
    json(reply, 200, body);
  }

  /** A limit scope as {@code /v1/usage} and the admin API show it. */
  static ObjectNode scopeJson(ScopeUsage scope) {
    ObjectNode entry = Json.object().put("scope", scope.scope().id());
    ObjectNode limits = KeyJson.limits(scope.spec());
    limits.remove("fail_open");
    entry.set("limits", limits);
    entry.put("spent_usd", scope.spentMicros() / 1e6);
    entry.put("reserved_usd", scope.reservedMicros() / 1e6);
    entry.put("in_flight", scope.inFlight());
    scope.budgetResets().ifPresent(at -> entry.put("budget_resets_at", at.toString()));
    ObjectNode now = entry.putObject("now");
    scope.headers().forEach(now::put);
    return entry;
  }

  private void ready(HttpCall call, Reply reply) {
    gateway.authenticateScrape(call.header("authorization"), call.loopback());
    if (gateway.ready()) {
      json(
          reply,
          200,
          Json.object().put("status", "ready").put("config_hash", gateway.config().hash()));
    } else {
      json(reply, 503, Json.object().put("status", "draining"));
    }
  }

  private void reload(HttpCall call, Reply reply) {
    gateway.authenticateAdmin(call.header("authorization"));
    try {
      GatewayConfig config = reloader.reload();
      json(reply, 200, Json.object().put("reloaded", true).put("config_hash", config.hash()));
    } catch (ConfigException e) {
      ObjectNode body =
          ErrorBodies.error(ErrorKind.INVALID_REQUEST, e.getMessage(), null, "invalid_config");
      ArrayNode problems = ((ObjectNode) body.get("error")).putArray("problems");
      e.problems().forEach(problems::add);
      json(reply, 400, body);
    }
  }

  /** The caller by its key: {@code Authorization: Bearer}, or Anthropic's {@code x-api-key}. */
  private Caller caller(HttpCall call) {
    Optional<String> authorization =
        call.header("authorization").or(() -> call.header("x-api-key").map(key -> "Bearer " + key));
    return gateway.authenticate(authorization, call.loopback(), call.headers());
  }

  /** A JSON endpoint takes {@code application/json} (in UTF-8) and nothing else. */
  static void requireJson(HttpCall call) {
    String type = call.header("content-type").orElse("").toLowerCase(Locale.ROOT);
    String[] parts = type.split(";");
    boolean json = parts[0].trim().equals(JSON);
    for (int i = 1; json && i < parts.length; i++) {
      String parameter = parts[i].trim().replace("\"", "");
      if (parameter.startsWith("charset=")
          && !parameter.equals("charset=utf-8")
          && !parameter.equals("charset=utf8")) {
        json = false;
      }
    }
    if (!json) {
      throw new SignalboxException(
          ErrorKind.UNSUPPORTED_MEDIA_TYPE,
          "The request body must be JSON sent as 'Content-Type: application/json' (UTF-8), not '"
              + Truncated.of(type, 80)
              + "'.",
          null,
          "unsupported_media_type");
    }
  }

  private static SignalboxException unknown(HttpCall call) {
    return new SignalboxException(
        ErrorKind.NOT_FOUND,
        "Unknown request URL: "
            + Truncated.of(call.method(), 20)
            + " "
            + Truncated.of(call.path(), 100)
            + ". Signalbox serves POST /v1/chat/completions, POST /v1/messages, POST /v1/responses,"
            + " POST /v1/embeddings and GET /v1/models.",
        null,
        "unknown_url");
  }

  private void error(Reply reply, SignalboxException e, boolean anthropic) {
    if (reply.started()) {
      return;
    }
    accessLog.ifPresent(log -> log.rejected(e));
    metrics.rejected(e);
    if (e.kind() == ErrorKind.OVERLOADED) {
      // Shedding load sheds the connection too, so that a client's idle keep-alive sockets do not
      // hold every slot.
      reply.header("retry-after", "1");
      reply.closeConnection();
    }
    refuse(reply, e, anthropic ? MessagesReply.error(e) : ErrorBodies.of(e));
  }

  /** A refusal with its status, and its {@code Retry-After} when it says how long to wait. */
  static void refuse(Reply reply, SignalboxException e, ObjectNode body) {
    e.retryAfterHeader().ifPresent(seconds -> reply.header("retry-after", seconds));
    json(reply, e.kind().httpStatus(), body);
  }

  static void json(Reply reply, int status, ObjectNode body) {
    reply.send(status, JSON, Json.bytes(body));
  }
}
