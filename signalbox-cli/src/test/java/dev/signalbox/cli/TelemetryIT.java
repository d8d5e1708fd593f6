package dev.signalbox.cli;

import static dev.signalbox.testing.ScriptedUpstreamServer.json;
import static dev.signalbox.testing.ScriptedUpstreamServer.sse;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import dev.signalbox.testing.ScriptedUpstreamServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as served, exporting to a local OTLP/HTTP endpoint that decodes what it receives: a
 * request's server span continues the client's W3C trace, each attempt (a failed one and its
 * fallback) is a client span under it whose context reached that attempt's upstream, the GenAI
 * attributes carry what the trace store says, and the GenAI metrics arrive.
 */
class TelemetryIT {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";
  private static final String COMPLETION =
      "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}";
  private static final String CHUNK =
      "data:"
          + " {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}";
  private static final String FINISH =
      "data:"
          + " {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}";

  @TempDir Path work;
  private HttpServer collector;
  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private final Set<String> metrics = ConcurrentHashMap.newKeySet();
  private ScriptedUpstreamServer upstream;
  private ServeCommand.Running gateway;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/v1/traces",
        exchange -> {
          ExportTraceServiceRequest request =
              ExportTraceServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes());
          request.getResourceSpansList().stream()
              .flatMap(r -> r.getScopeSpansList().stream())
              .forEach(scope -> spans.addAll(scope.getSpansList()));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.createContext(
        "/v1/metrics",
        exchange -> {
          ExportMetricsServiceRequest request =
              ExportMetricsServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes());
          request.getResourceMetricsList().stream()
              .flatMap(r -> r.getScopeMetricsList().stream())
              .flatMap(scope -> scope.getMetricsList().stream())
              .forEach(metric -> metrics.add(metric.getName()));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    upstream = new ScriptedUpstreamServer(json(200, COMPLETION));
  }

  private void startGateway(boolean telemetry) throws IOException {
    Path config = work.resolve("telemetry.yaml");
    Files.writeString(
        config,
        """
        server: {host: 127.0.0.1, port: 0}
        traces: {path: %s}
        telemetry:
          enabled: %s
          endpoint: http://127.0.0.1:%d
          headers: {x-collector-key: k1}
          export-interval: 100ms
        deployments:
          - {name: first, provider: openai, base-url: "%s/v1", model: up}
          - {name: second, provider: openai, base-url: "%s/v1", model: up}
        models:
          - {name: m, deployments: [first, second]}
        routes:
          - {name: auto, models: [m], policy: priority}
        """
            .formatted(
                work.resolve("traces.db"),
                telemetry,
                collector.getAddress().getPort(),
                upstream.baseUrl(),
                upstream.baseUrl()));
    gateway = ServeCommand.start(Configs.reader().read(config), Configs.reader(), config, 0);
  }

  @AfterEach
  void stop() throws IOException {
    if (gateway != null) {
      gateway.stop();
    }
    upstream.close();
    collector.stop(0);
  }

  @Test
  void aRequestsSpansContinueTheClientsTraceAndReachTheCollectorWithTheirAttempts()
      throws Exception {
    startGateway(true);
    upstream.then(json(500, "{\"error\":{\"message\":\"boom\"}}"));
    HttpResponse<String> answer =
        post(
            "{\"model\":\"auto\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            Map.of(
                "traceparent",
                "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01",
                "x-signalbox-session-id",
                "conv-7"));
    assertThat(answer.statusCode()).isEqualTo(200);

    Span request = awaitSpan(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(hex(request.getTraceId())).isEqualTo(TRACE_ID);
    assertThat(hex(request.getParentSpanId())).isEqualTo(CLIENT_SPAN);
    assertThat(request.getName()).isEqualTo("chat auto");
    Map<String, Object> attributes = attributes(request);
    assertThat(attributes)
        .containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.request.model", "auto")
        .containsEntry("gen_ai.response.model", "m")
        .containsEntry("gen_ai.request.max_tokens", 50L)
        .containsEntry("gen_ai.request.stream", false)
        .containsEntry("gen_ai.usage.input_tokens", 5L)
        .containsEntry("gen_ai.usage.output_tokens", 1L)
        .containsEntry("gen_ai.conversation.id", "conv-7")
        .containsEntry("signalbox.route", "auto")
        .containsEntry("signalbox.policy", "priority")
        .containsEntry("signalbox.outcome", "ok")
        .containsEntry(
            "signalbox.request_id",
            answer.headers().firstValue("x-signalbox-request-id").orElseThrow())
        .containsKeys(
            "signalbox.propensity", "signalbox.cost_usd", "gen_ai.response.finish_reasons");
    assertThat(attributes).doesNotContainKeys("gen_ai.input.messages", "gen_ai.output.messages");

    List<Span> attempts = awaitSpans(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT, 2);
    for (Span attempt : attempts) {
      assertThat(attempt.getTraceId()).isEqualTo(request.getTraceId());
      assertThat(attempt.getParentSpanId()).isEqualTo(request.getSpanId());
      assertThat(attributes(attempt))
          .containsEntry("gen_ai.provider.name", "openai")
          .containsEntry("server.address", "127.0.0.1")
          .containsEntry("gen_ai.request.model", "m");
    }
    Map<String, Span> byDeployment =
        attempts.stream()
            .collect(
                Collectors.toMap(s -> (String) attributes(s).get("signalbox.deployment"), s -> s));
    assertThat(attributes(byDeployment.get("first"))).containsEntry("error.type", "500");
    assertThat(byDeployment.get("first").getStatus().getCode())
        .isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(attributes(byDeployment.get("second")))
        .containsEntry("signalbox.attempt.result", "ok")
        .doesNotContainKey("error.type");

    // Each upstream call carried its own attempt's span as the parent, in the client's trace.
    List<String> sent =
        upstream.requests().stream().map(r -> r.headers().get("traceparent")).toList();
    assertThat(sent)
        .containsExactly(
            "00-" + TRACE_ID + "-" + hex(byDeployment.get("first").getSpanId()) + "-01",
            "00-" + TRACE_ID + "-" + hex(byDeployment.get("second").getSpanId()) + "-01");

    // A stream: its time to first token and time per token are metrics, its finish reason traced.
    upstream.then(
        sse(Duration.ZERO, CHUNK.formatted("a"), CHUNK.formatted("b"), FINISH, "data: [DONE]"));
    HttpResponse<String> streamed =
        post(
            "{\"model\":\"auto\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            Map.of());
    assertThat(streamed.body()).contains("[DONE]");
    Span stream =
        awaitSpan(
            s ->
                s.getKind() == Span.SpanKind.SPAN_KIND_SERVER
                    && Boolean.TRUE.equals(attributes(s).get("gen_ai.request.stream")));
    assertThat(stream.getTraceId()).isNotEqualTo(request.getTraceId());
    assertThat(stream.getParentSpanId().isEmpty()).isTrue();
    assertThat(attributes(stream))
        .containsEntry("gen_ai.response.finish_reasons", List.of("length"))
        .containsEntry("gen_ai.usage.output_tokens", 3L);
    awaitMetrics(
        "gen_ai.server.request.duration",
        "gen_ai.server.time_to_first_token",
        "gen_ai.server.time_per_output_token",
        "gen_ai.client.token.usage");
  }

  @Test
  void withTelemetryOffTheClientsTraceContextReachesTheUpstreamAsSent() throws Exception {
    startGateway(false);
    String traceparent = "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01";
    HttpResponse<String> answer =
        post(
            "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            Map.of("traceparent", traceparent, "tracestate", "vendor=1"));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(upstream.requests().get(0).headers())
        .containsEntry("traceparent", traceparent)
        .containsEntry("tracestate", "vendor=1");
    gateway.stop();
    gateway = null;
    assertThat(spans).isEmpty();
  }

  private HttpResponse<String> post(String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.server().port() + "/v1/chat/completions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Span awaitSpan(Predicate<Span> wanted) throws InterruptedException {
    return awaitSpans(wanted, 1).get(0);
  }

  /** Polls the received spans until {@code count} match, for at most 10 s. */
  private List<Span> awaitSpans(Predicate<Span> wanted, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<Span> found = spans.stream().filter(wanted).toList();
      if (found.size() >= count || System.nanoTime() > deadline) {
        assertThat(found).as("spans received: %s", spans).hasSize(count);
        return found;
      }
      Thread.sleep(20);
    }
  }

  private void awaitMetrics(String... names) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!metrics.containsAll(List.of(names)) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(metrics).contains(names);
  }

  private static String hex(ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  private static Map<String, Object> attributes(Span span) {
    return span.getAttributesList().stream()
        .collect(Collectors.toMap(KeyValue::getKey, kv -> value(kv.getValue())));
  }

  private static Object value(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case INT_VALUE -> value.getIntValue();
      case DOUBLE_VALUE -> value.getDoubleValue();
      case ARRAY_VALUE ->
          value.getArrayValue().getValuesList().stream().map(TelemetryIT::value).toList();
      default -> value.toString();
    };
  }
}
