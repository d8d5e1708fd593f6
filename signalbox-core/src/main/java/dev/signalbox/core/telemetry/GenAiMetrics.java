package dev.signalbox.core.telemetry;

import dev.signalbox.api.DecisionTrace;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;

/**
 * The GenAI semantic conventions' metrics, with the bucket boundaries they advise: request
 * duration, time to first token and time per output token as the server (the gateway) saw them, and
 * tokens used by kind.
 */
final class GenAiMetrics {
  private static final List<Double> DURATION_BUCKETS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  private static final List<Double> FIRST_TOKEN_BUCKETS =
      List.of(
          0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
          10.0);
  private static final List<Double> PER_TOKEN_BUCKETS =
      List.of(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5);
  private static final List<Long> TOKEN_BUCKETS =
      List.of(
          1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L,
          16777216L, 67108864L);

  private final DoubleHistogram duration;
  private final DoubleHistogram firstToken;
  private final DoubleHistogram perOutputToken;
  private final LongHistogram tokens;

  GenAiMetrics(Meter meter) {
    duration =
        meter
            .histogramBuilder("gen_ai.server.request.duration")
            .setUnit("s")
            .setDescription("Generative AI server request duration")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    firstToken =
        meter
            .histogramBuilder("gen_ai.server.time_to_first_token")
            .setUnit("s")
            .setDescription("Time to generate the first token, for successful streamed requests")
            .setExplicitBucketBoundariesAdvice(FIRST_TOKEN_BUCKETS)
            .build();
    perOutputToken =
        meter
            .histogramBuilder("gen_ai.server.time_per_output_token")
            .setUnit("s")
            .setDescription("Time per output token after the first, for successful streams")
            .setExplicitBucketBoundariesAdvice(PER_TOKEN_BUCKETS)
            .build();
    tokens =
        meter
            .histogramBuilder("gen_ai.client.token.usage")
            .ofLongs()
            .setUnit("{token}")
            .setDescription("Input and output tokens used")
            .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS)
            .build();
  }

  /**
   * Records one finished request.
   *
   * @param errorType the outcome of a request that was not answered, or ""
   * @param firstTokenSeconds the served attempt's time to its first token, or -1
   */
  void record(
      String requestedModel,
      String responseModel,
      String errorType,
      double seconds,
      double firstTokenSeconds,
      DecisionTrace trace) {
    AttributesBuilder common =
        Attributes.builder().put(GenAi.OPERATION, "chat").put(GenAi.REQUEST_MODEL, requestedModel);
    if (!responseModel.isEmpty()) {
      common.put(GenAi.RESPONSE_MODEL, responseModel);
    }
    if (!trace.routes().isEmpty()) {
      common.put(GenAi.ROUTE, trace.routes().get(trace.routes().size() - 1));
    }
    Attributes ok = common.build();
    duration.record(
        seconds,
        errorType.isEmpty() ? ok : ok.toBuilder().put(GenAi.ERROR_TYPE, errorType).build());
    if (!errorType.isEmpty()) {
      return;
    }
    long output = trace.usage().completionTokens();
    if (trace.stream() && firstTokenSeconds >= 0) {
      firstToken.record(firstTokenSeconds, ok);
      if (output > 1) {
        perOutputToken.record(Math.max(0, seconds - firstTokenSeconds) / (output - 1), ok);
      }
    }
    tokens.record(
        trace.usage().promptTokens(), ok.toBuilder().put(GenAi.TOKEN_TYPE, "input").build());
    tokens.record(output, ok.toBuilder().put(GenAi.TOKEN_TYPE, "output").build());
  }
}
