package dev.signalbox.server;

import dev.signalbox.api.TimeSource;
import dev.signalbox.core.config.ServerSettings;
import dev.signalbox.core.gateway.AccessLog;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.GatewayMetrics;
import dev.signalbox.core.responses.ResponseStore;
import dev.signalbox.core.trace.FeedbackStore;
import dev.signalbox.server.http.HttpServer;
import dev.signalbox.server.http.ServerLimits;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The gateway on HTTP: its {@link Endpoints} served by an {@link HttpServer}. Listening limits
 * (connections, deadlines, body size) are read at start; a reload changes routes and keys, not
 * these.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());

  private final Gateway gateway;
  private final HttpServer http;

  private GatewayServer(Gateway gateway, HttpServer http) {
    this.gateway = gateway;
    this.http = http;
  }

  /**
   * Starts serving; {@code port} 0 picks a free port.
   *
   * @param accessLog where access lines go, when enabled
   * @param feedbackStore where {@code POST /v1/feedback} keeps feedback ({@link
   *     FeedbackStore#DISABLED} without traces)
   * @param responseStore where responses that clients of {@code /v1/responses} store are kept
   * @throws java.io.UncheckedIOException naming the address when it cannot be bound
   */
  public static GatewayServer start(
      Gateway gateway,
      GatewayMetrics metrics,
      Reloader reloader,
      Optional<AccessLog> accessLog,
      FeedbackStore feedbackStore,
      ResponseStore responseStore,
      String host,
      int port) {
    return start(
        gateway,
        metrics,
        reloader,
        accessLog,
        feedbackStore,
        responseStore,
        AdminSources.none(TimeSource.SYSTEM),
        host,
        port);
  }

  /**
   * As {@link #start(Gateway, GatewayMetrics, Reloader, Optional, FeedbackStore, ResponseStore,
   * String, int)}, with what the admin API and the dashboard read: the trace store and the breaker
   * history.
   */
  public static GatewayServer start(
      Gateway gateway,
      GatewayMetrics metrics,
      Reloader reloader,
      Optional<AccessLog> accessLog,
      FeedbackStore feedbackStore,
      ResponseStore responseStore,
      AdminSources adminSources,
      String host,
      int port) {
    ServerSettings settings = gateway.config().server();
    ServerLimits limits =
        new ServerLimits(
            settings.maxConnections(),
            settings.maxBodyBytes().bytes(),
            settings.requestHeaderTimeout(),
            settings.requestBodyTimeout(),
            settings.keepAliveTimeout());
    Endpoints endpoints =
        new Endpoints(
            gateway, metrics, reloader, accessLog, feedbackStore, responseStore, adminSources);
    return new GatewayServer(
        gateway, HttpServer.start(host, port, limits, endpoints, metrics::connectionClosed));
  }

  public int port() {
    return http.port();
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
    http.stop(Duration.ofSeconds(2));
    gateway.close();
  }

  @Override
  public void close() {
    try {
      stop(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      http.stop(Duration.ZERO);
    }
  }
}
