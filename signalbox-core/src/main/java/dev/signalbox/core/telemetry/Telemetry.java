package dev.signalbox.core.telemetry;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.RoutingListener;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.TelemetrySettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The gateway's OpenTelemetry: makes each request's {@link RequestSpans}, and batches spans and
 * metrics to an OTLP (HTTP/protobuf) collector on the SDK's own threads, never the request's.
 */
public final class Telemetry implements RoutingListener.Factory, AutoCloseable {
  static final String DEFAULT_ENDPOINT = "http://localhost:4318";
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final SdkTracerProvider tracers;
  private final SdkMeterProvider meters;
  private final Tracer tracer;
  private final GenAiMetrics metrics;
  private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();
  private final boolean captureContent;
  private final RequestSpans.Deployments deployments;

  private Telemetry(
      SdkTracerProvider tracers,
      SdkMeterProvider meters,
      boolean captureContent,
      Function<String, Optional<DeploymentSpec>> deployments) {
    this.tracers = tracers;
    this.meters = meters;
    this.tracer = tracers.get("dev.signalbox");
    this.metrics = new GenAiMetrics(meters.get("dev.signalbox"));
    this.captureContent = captureContent;
    Map<DeploymentSpec, Attributes> named = new ConcurrentHashMap<>();
    this.deployments =
        name ->
            deployments
                .apply(name)
                .map(spec -> named.computeIfAbsent(spec, Telemetry::attributes))
                .orElse(Attributes.empty());
  }

  /**
   * Starts exporting when the settings enable it and {@code OTEL_SDK_DISABLED} is not true.
   *
   * @param environment the process environment, for the standard {@code OTEL_*} variables
   * @param deployments the running config's deployments by name (it may be reloaded)
   */
  public static Optional<Telemetry> start(
      TelemetrySettings settings,
      Function<String, String> environment,
      Function<String, Optional<DeploymentSpec>> deployments) {
    if (!settings.enabled()
        || "true".equalsIgnoreCase(orEmpty(environment.apply("OTEL_SDK_DISABLED")))) {
      return Optional.empty();
    }
    String base =
        settings
            .endpoint()
            .map(URI::toString)
            .orElseGet(() -> orDefault(environment.apply("OTEL_EXPORTER_OTLP_ENDPOINT")));
    Map<String, String> headers =
        settings.headers().isEmpty()
            ? parseHeaders(orEmpty(environment.apply("OTEL_EXPORTER_OTLP_HEADERS")))
            : settings.headers();
    String service =
        settings
            .serviceName()
            .or(() -> Optional.ofNullable(environment.apply("OTEL_SERVICE_NAME")))
            .filter(name -> !name.isBlank())
            .orElse("signalbox");
    Resource resource =
        Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, service)));
    OtlpHttpSpanExporterBuilder spans =
        OtlpHttpSpanExporter.builder().setEndpoint(signal(base, "traces", environment));
    OtlpHttpMetricExporterBuilder metricExporter =
        OtlpHttpMetricExporter.builder().setEndpoint(signal(base, "metrics", environment));
    headers.forEach(spans::addHeader);
    headers.forEach(metricExporter::addHeader);
    long intervalMillis = Math.max(1, settings.exportInterval().toMillis());
    SdkTracerProvider tracers =
        SdkTracerProvider.builder()
            .setResource(resource)
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
            .addSpanProcessor(
                BatchSpanProcessor.builder(spans.build())
                    .setScheduleDelay(intervalMillis, TimeUnit.MILLISECONDS)
                    .build())
            .build();
    SdkMeterProvider meters =
        SdkMeterProvider.builder()
            .setResource(resource)
            .registerMetricReader(
                PeriodicMetricReader.builder(metricExporter.build())
                    .setInterval(intervalMillis, TimeUnit.MILLISECONDS)
                    .build())
            .build();
    return Optional.of(new Telemetry(tracers, meters, settings.captureContent(), deployments));
  }

  @Override
  public RoutingListener create(String requestId, ChatRequest request) {
    return create(requestId, request, Map.of());
  }

  @Override
  public RoutingListener create(
      String requestId, ChatRequest request, Map<String, String> headers) {
    return new RequestSpans(
        tracer, propagator, metrics, deployments, captureContent, requestId, request, headers);
  }

  /** Sends what is still batched, then stops. */
  @Override
  public void close() {
    tracers.shutdown().join(10, TimeUnit.SECONDS);
    meters.shutdown().join(10, TimeUnit.SECONDS);
  }

  /** A signal's URL: its own variable as given, else the base endpoint with its path added. */
  static String signal(String base, String signal, Function<String, String> environment) {
    String own =
        orEmpty(
            environment.apply(
                "OTEL_EXPORTER_OTLP_" + signal.toUpperCase(Locale.ROOT) + "_ENDPOINT"));
    if (!own.isEmpty()) {
      return own;
    }
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/" + signal;
  }

  /** {@code OTEL_EXPORTER_OTLP_HEADERS}: {@code key=value} pairs, comma separated, URL-encoded. */
  static Map<String, String> parseHeaders(String spec) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String pair : spec.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        headers.put(
            URLDecoder.decode(pair.substring(0, eq).trim(), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
      }
    }
    return headers;
  }

  private static Attributes attributes(DeploymentSpec spec) {
    AttributesBuilder attributes =
        Attributes.builder().put(GenAi.PROVIDER, spec.provider().name().toLowerCase(Locale.ROOT));
    if (!spec.baseUrl().isEmpty()) {
      URI uri = URI.create(spec.baseUrl());
      if (uri.getHost() != null) {
        attributes.put(GenAi.SERVER_ADDRESS, uri.getHost());
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        attributes.put(GenAi.SERVER_PORT, (long) port);
      }
    }
    return attributes.build();
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }

  private static String orDefault(String value) {
    return value == null || value.isBlank() ? DEFAULT_ENDPOINT : value;
  }
}
