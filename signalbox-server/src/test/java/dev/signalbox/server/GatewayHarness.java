package dev.signalbox.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.TimeSource;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.gateway.AccessLog;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.GatewayMetrics;
import dev.signalbox.core.gateway.LearningFeedback;
import dev.signalbox.core.gateway.Listeners;
import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.responses.ResponseStore;
import dev.signalbox.core.responses.SqlResponseStore;
import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceRecorder;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real gateway server on port 0 with a real SQLite trace store, and a real HTTP client to call
 * it.
 */
final class GatewayHarness implements AutoCloseable {
  private static final PolicyRegistry POLICIES = PolicyRegistry.load();

  final Path dir;
  final Path configFile;
  final TraceRecorder traces;
  final ResponseStore responses;
  final GatewayMetrics metrics = new GatewayMetrics();
  final RecordingListener events = new RecordingListener();

  /** Budget alerts, in order. */
  private final List<BudgetAlert> alerts = new CopyOnWriteArrayList<>();

  /** The requests whose feedback was taught to their route, in order. */
  final List<String> learned = new CopyOnWriteArrayList<>();

  private final ByteArrayOutputStream accessLines = new ByteArrayOutputStream();
  final AccessLog accessLog =
      new AccessLog(new PrintStream(accessLines, true, StandardCharsets.UTF_8), TimeSource.SYSTEM);
  final Gateway gateway;
  final GatewayServer server;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ConfigReader reader;

  GatewayHarness(String yaml) throws IOException {
    this(yaml, Map.of());
  }

  GatewayHarness(String yaml, Map<String, String> environment) throws IOException {
    dir = Files.createTempDirectory("signalbox-it");
    configFile = dir.resolve("config.yaml");
    Files.writeString(configFile, yaml);
    reader = new ConfigReader(POLICIES, environment::get);
    GatewayConfig config = reader.read(configFile);
    traces = new TraceRecorder(SqliteTraceStore.open(dir.resolve("traces.db")), 1_000);
    metrics.watch(traces);
    responses =
        SqlResponseStore.sqlite(
            dir.resolve("responses.db"),
            TimeSource.SYSTEM,
            config.responses().retention(),
            config.responses().maxStored());
    SplittableRandom seeds = new SplittableRandom(42);
    AtomicReference<Gateway> holder = new AtomicReference<>();
    gateway =
        Gateway.create(
            config,
            Gateway.Settings.builder()
                .time(TimeSource.SYSTEM)
                .seeds(
                    () -> {
                      synchronized (seeds) {
                        return seeds.nextLong();
                      }
                    })
                .environment(environment::get)
                .policies(POLICIES)
                .listeners(
                    new Listeners(
                        List.of(
                            RoutingListener.Factory.of(metrics),
                            RoutingListener.Factory.of(accessLog),
                            events)))
                .breakers(metrics)
                .budgetAlerts(
                    alert -> {
                      alerts.add(alert);
                      metrics.budgetAlert(alert);
                    })
                .sink(traces)
                .build());
    holder.set(gateway);
    server =
        GatewayServer.start(
            gateway,
            metrics,
            () -> {
              GatewayConfig fresh = reader.read(configFile);
              holder.get().reload(fresh);
              return fresh;
            },
            Optional.of(accessLog),
            new LearningFeedback(
                traces,
                (trace, score) -> {
                  learned.add(trace.id());
                  holder.get().learn(trace, score);
                }),
            responses,
            "127.0.0.1",
            0);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> post(String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> chat(String model, boolean stream) throws IOException, InterruptedException {
    return post(
        "/v1/chat/completions",
        "{\"model\":\""
            + model
            + "\",\"stream\":"
            + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
  }

  /** The stored trace of a request, after every trace so far is written. */
  JsonNode trace(HttpResponse<?> response) throws Exception {
    String id =
        response
            .headers()
            .firstValue("x-signalbox-request-id")
            .orElseThrow(() -> new AssertionError("no request id header"));
    return trace(id);
  }

  JsonNode trace(String id) throws Exception {
    if (!traces.flush(Duration.ofSeconds(10))) {
      throw new AssertionError("traces not flushed in time");
    }
    return Json.MAPPER.readTree(
        traces.store().find(id).orElseThrow(() -> new AssertionError("no trace " + id)));
  }

  /** The budget alerts so far, once every trace (and so every settlement) is written. */
  List<BudgetAlert> alerts() throws Exception {
    if (!traces.flush(Duration.ofSeconds(10))) {
      throw new AssertionError("traces not flushed in time");
    }
    return List.copyOf(alerts);
  }

  /** Every access log line written so far. */
  String accessLog() {
    if (!accessLog.flush(Duration.ofSeconds(10))) {
      throw new AssertionError("access log not flushed in time");
    }
    synchronized (accessLines) {
      return accessLines.toString(StandardCharsets.UTF_8);
    }
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return Json.MAPPER.readTree(response.body());
  }

  @Override
  public void close() throws Exception {
    server.stop(Duration.ofSeconds(5));
    traces.close();
    responses.close();
    accessLog.close();
  }
}
