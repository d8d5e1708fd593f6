package dev.signalbox.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CascadeStepTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Usage;
import dev.signalbox.core.wire.ChatRequestParser;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A cascade's spans: a span per stage under the request, each stage's attempts under it. */
class RequestSpansTest {
  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final SdkTracerProvider tracers =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build();

  @Test
  void aCascadesStagesAreSpansAndTheirSamplesAttemptsUnderThem() {
    ChatRequest chat =
        ChatRequestParser.parse(
            "{\"model\":\"careful\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.UTF_8));
    RequestSpans spans =
        new RequestSpans(
            tracers.get("test"),
            W3CTraceContextPropagator.getInstance(),
            new GenAiMetrics(SdkMeterProvider.builder().build().get("test")),
            deployment -> Attributes.empty(),
            false,
            "req_1",
            chat,
            Map.of());
    PlanStep nano = new PlanStep("nano", "nano-local");
    PlanStep mid = new PlanStep("mid", "mid-east");
    spans.cascadeStageStart(1, "nano");
    spans.attemptStart(nano, 0);
    String sent = spans.attemptContext().get("traceparent");
    spans.attemptEnd(new AttemptTrace(0, "nano", "nano-local", "ok", 5, 10, false, ""));
    spans.cascadeStageEnd(
        new CascadeStepTrace(
            1, "nano", 1, 1, "escalated", List.of("regex"), new Usage(5, 0, 3, false), 0.0001));
    spans.cascadeStageStart(2, "mid");
    spans.attemptStart(mid, 1);
    spans.attemptEnd(new AttemptTrace(1, "mid", "mid-east", "ok", 5, 10, true, ""));
    spans.cascadeStageEnd(
        new CascadeStepTrace(2, "mid", 1, 1, "final", List.of(), new Usage(5, 0, 4, false), 0.001));
    spans.requestEnd(trace(), Duration.ofMillis(30));

    List<SpanData> all = exported.getFinishedSpanItems();
    SpanData request = named(all, "chat careful");
    SpanData first = named(all, "cascade stage 1");
    SpanData second = named(all, "cascade stage 2");
    assertThat(first.getParentSpanId()).isEqualTo(request.getSpanId());
    assertThat(second.getParentSpanId()).isEqualTo(request.getSpanId());
    assertThat(first.getAttributes().get(AttributeKey.stringKey("signalbox.cascade.verdict")))
        .isEqualTo("escalated");
    SpanData nanoAttempt = named(all, "chat nano");
    SpanData midAttempt = named(all, "chat mid");
    assertThat(nanoAttempt.getParentSpanId()).isEqualTo(first.getSpanId());
    assertThat(midAttempt.getParentSpanId()).isEqualTo(second.getSpanId());
    assertThat(sent).startsWith("00-" + request.getTraceId() + "-" + nanoAttempt.getSpanId() + "-");
    assertThat(request.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model")))
        .isEqualTo("mid");
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
  }

  private static DecisionTrace trace() {
    return new DecisionTrace(
        "req_1",
        Instant.EPOCH,
        "t",
        "careful",
        List.of("careful"),
        "cascade",
        1,
        "abc",
        1,
        Map.of(),
        List.of(),
        List.of(new PlanStep("nano", "nano-local")),
        1,
        PoolSnapshot.EMPTY,
        List.of(),
        new Usage(5, 0, 4, false),
        0.0011,
        false,
        "ok",
        "",
        List.of(),
        "",
        "");
  }
}
