package dev.signalbox.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.gateway.AccessLog;
import dev.signalbox.core.gateway.Caller;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.GatewayMetrics;
import dev.signalbox.core.gateway.Handled;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.FeedbackStore;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.ErrorBodies;
import dev.signalbox.core.wire.Json;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP server: one virtual thread per request (Helidon 4), plain blocking code. The only class
 * that knows the HTTP framework; everything it does with a request goes through {@link Gateway}.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());
  private static final String JSON = "application/json";

  private final Gateway gateway;
  private final GatewayMetrics metrics;
  private final Reloader reloader;
  private final Optional<AccessLog> accessLog;
  private final FeedbackStore feedbackStore;
  private final long maxBodyBytes;
  private final WebServer server;

  private GatewayServer(
      Gateway gateway,
      GatewayMetrics metrics,
      Reloader reloader,
      Optional<AccessLog> accessLog,
      FeedbackStore feedbackStore,
      String host,
      int port) {
    this.gateway = gateway;
    this.feedbackStore = feedbackStore;
    this.metrics = metrics;
    this.reloader = reloader;
    this.accessLog = accessLog;
    this.maxBodyBytes = gateway.config().server().maxBodyBytes().bytes();
    this.server =
        WebServer.builder()
            .host(host)
            .port(port)
            .shutdownHook(false)
            .maxTcpConnections(gateway.config().server().maxConnections())
            // Without TCP_NODELAY a small SSE chunk written after the headers waits for the
            // client's delayed ACK.
            .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
            .routing(this::routes)
            .build();
  }

  /**
   * Starts serving; {@code port} 0 picks a free port.
   *
   * @param accessLog where access lines go, when enabled
   * @param feedbackStore where {@code POST /v1/feedback} keeps feedback ({@link
   *     FeedbackStore#DISABLED} without traces)
   */
  public static GatewayServer start(
      Gateway gateway,
      GatewayMetrics metrics,
      Reloader reloader,
      Optional<AccessLog> accessLog,
      FeedbackStore feedbackStore,
      String host,
      int port) {
    GatewayServer server =
        new GatewayServer(gateway, metrics, reloader, accessLog, feedbackStore, host, port);
    server.server.start();
    return server;
  }

  public int port() {
    return server.port();
  }

  private void routes(HttpRouting.Builder routing) {
    routing
        .post("/v1/chat/completions", this::chat)
        .get("/v1/models", this::models)
        .get("/health", (req, res) -> json(res, Status.OK_200, Json.object().put("status", "ok")))
        .get("/ready", this::ready)
        .get(
            "/metrics",
            (req, res) -> {
              res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
              res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
            })
        .post("/v1/feedback", this::feedback)
        .post("/admin/reload", this::reload)
        .get(
            "/admin/pool",
            (req, res) -> {
              gateway.authenticateAdmin(req.headers().first(HeaderNames.AUTHORIZATION));
              json(
                  res,
                  Status.OK_200,
                  Json.object().set("deployments", TraceJson.pool(gateway.pool())));
            })
        .any(this::unknown)
        .error(SignalboxException.class, (req, res, e) -> error(res, e))
        .error(Throwable.class, this::unexpected);
  }

  private void chat(ServerRequest req, ServerResponse res) throws InterruptedException {
    Map<String, String> headers = headers(req);
    Caller caller =
        gateway.authenticate(
            Optional.ofNullable(headers.get("authorization")), loopback(req), headers);
    ChatRequest request = ChatRequestParser.parse(body(req));
    Handled handled = gateway.handle(request, caller);
    handled.info().headers().forEach(res::header);
    switch (handled) {
      case Handled.Rejected rejected ->
          json(
              res,
              Status.create(rejected.error().kind().httpStatus()),
              ErrorBodies.of(rejected.error()));
      case Handled.Completed completed -> {
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(Json.bytes(completed.body()));
      }
      case Handled.Streaming streaming -> stream(res, streaming);
    }
  }

  private void feedback(ServerRequest req, ServerResponse res) throws InterruptedException {
    Map<String, String> headers = headers(req);
    Caller caller =
        gateway.authenticate(
            Optional.ofNullable(headers.get("authorization")), loopback(req), headers);
    Feedback feedback = Feedback.parse(body(req), gateway.time().now());
    feedbackStore.record(feedback, caller.tenant());
    json(
        res,
        Status.OK_200,
        Json.object()
            .put("object", "feedback")
            .put("request_id", feedback.requestId())
            .put("score", feedback.score())
            .put("recorded", true));
  }

  private void stream(ServerResponse res, Handled.Streaming streaming) throws InterruptedException {
    res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
    OutputStream out;
    try {
      out = res.outputStream();
    } catch (RuntimeException e) {
      // No way to answer: the relay cancels the upstream and records the request, then the error
      // propagates.
      streaming
          .relay()
          .relay(
              bytes -> {
                throw new IOException("response stream unavailable", e);
              });
      throw e;
    }
    try {
      streaming
          .relay()
          .relay(
              bytes -> {
                try {
                  out.write(bytes);
                  out.flush();
                } catch (UncheckedIOException e) {
                  throw e.getCause();
                } catch (RuntimeException e) {
                  throw new IOException("client connection closed", e);
                }
              });
    } finally {
      try {
        out.close();
      } catch (IOException | RuntimeException closed) {
        // The client left; the relay has already recorded it.
      }
    }
  }

  private byte[] body(ServerRequest req) {
    long declared = req.headers().contentLength().orElse(-1);
    if (declared > maxBodyBytes) {
      throw tooLarge();
    }
    try (InputStream in = req.content().inputStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
      if (bytes.length > maxBodyBytes) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw new SignalboxException(
          ErrorKind.INVALID_REQUEST,
          "could not read the request body: " + e.getMessage(),
          null,
          "invalid_body");
    }
  }

  private SignalboxException tooLarge() {
    return new SignalboxException(
        ErrorKind.PAYLOAD_TOO_LARGE,
        "The request body is larger than this gateway's limit of " + maxBodyBytes + " bytes.",
        null,
        "payload_too_large");
  }

  private void models(ServerRequest req, ServerResponse res) {
    Map<String, String> headers = headers(req);
    Caller caller =
        gateway.authenticate(
            Optional.ofNullable(headers.get("authorization")), loopback(req), headers);
    GatewayConfig config = gateway.config();
    ObjectNode body = Json.object().put("object", "list");
    ArrayNode data = body.putArray("data");
    config.routes().keySet().stream()
        .filter(caller::allows)
        .forEach(
            name ->
                data.addObject()
                    .put("id", name)
                    .put("object", "model")
                    .put("created", 0)
                    .put("owned_by", "signalbox:route"));
    config.models().keySet().stream()
        .filter(caller::allows)
        .forEach(
            name ->
                data.addObject()
                    .put("id", name)
                    .put("object", "model")
                    .put("created", 0)
                    .put("owned_by", "signalbox:model"));
    json(res, Status.OK_200, body);
  }

  private void ready(ServerRequest req, ServerResponse res) {
    if (gateway.ready()) {
      json(
          res,
          Status.OK_200,
          Json.object().put("status", "ready").put("config_hash", gateway.config().hash()));
    } else {
      json(res, Status.SERVICE_UNAVAILABLE_503, Json.object().put("status", "draining"));
    }
  }

  private void reload(ServerRequest req, ServerResponse res) {
    gateway.authenticateAdmin(req.headers().first(HeaderNames.AUTHORIZATION));
    try {
      GatewayConfig config = reloader.reload();
      json(
          res,
          Status.OK_200,
          Json.object().put("reloaded", true).put("config_hash", config.hash()));
    } catch (ConfigException e) {
      ObjectNode body =
          ErrorBodies.error(ErrorKind.INVALID_REQUEST, e.getMessage(), null, "invalid_config");
      ArrayNode problems = ((ObjectNode) body.get("error")).putArray("problems");
      e.problems().forEach(problems::add);
      json(res, Status.BAD_REQUEST_400, body);
    }
  }

  private void unknown(ServerRequest req, ServerResponse res) {
    String method = req.prologue().method().text();
    String path = req.path().path();
    error(
        res,
        new SignalboxException(
            ErrorKind.NOT_FOUND,
            "Unknown request URL: "
                + method
                + " "
                + path
                + ". Signalbox serves POST /v1/chat/completions and GET /v1/models.",
            null,
            "unknown_url"));
  }

  private void unexpected(ServerRequest req, ServerResponse res, Throwable t) {
    LOG.log(
        Level.SEVERE,
        "unexpected failure on " + req.prologue().method().text() + " " + req.path().path(),
        t);
    error(
        res,
        new SignalboxException(
            ErrorKind.INTERNAL,
            "The gateway failed unexpectedly; the failure is logged.",
            null,
            "internal_error"));
  }

  private void error(ServerResponse res, SignalboxException e) {
    if (res.isSent()) {
      return;
    }
    accessLog.ifPresent(log -> log.rejected(e));
    metrics.rejected(e);
    if (e.kind() == ErrorKind.OVERLOADED) {
      // Shedding load sheds the connection too, so that a client's idle keep-alive sockets do not
      // hold every slot.
      res.header(HeaderNames.RETRY_AFTER, "1");
      res.header(HeaderNames.CONNECTION, "close");
    }
    json(res, Status.create(e.kind().httpStatus()), ErrorBodies.of(e));
  }

  private static void json(ServerResponse res, Status status, ObjectNode body) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, JSON);
    res.send(Json.bytes(body));
  }

  private static Map<String, String> headers(ServerRequest req) {
    Map<String, String> headers = new HashMap<>();
    req.headers().forEach(h -> headers.put(h.name().toLowerCase(Locale.ROOT), h.get()));
    return headers;
  }

  private static boolean loopback(ServerRequest req) {
    return req.remotePeer().address() instanceof InetSocketAddress address
        && address.getAddress() != null
        && address.getAddress().isLoopbackAddress();
  }

  /** Refuses new requests, lets those under way (streams too) finish, then stops listening. */
  public void stop(Duration drain) throws InterruptedException {
    if (!gateway.drain(drain)) {
      LOG.warning(
          "stopping with "
              + gateway.inFlight()
              + " requests still under way after "
              + drain.toSeconds()
              + " s");
    }
    server.stop();
    gateway.close();
  }

  @Override
  public void close() {
    try {
      stop(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.stop();
    }
  }
}
