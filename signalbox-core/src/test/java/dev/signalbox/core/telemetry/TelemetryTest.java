package dev.signalbox.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.config.TelemetrySettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TelemetryTest {
  private static final TelemetrySettings ON =
      new TelemetrySettings(
          true, Optional.empty(), Map.of(), Optional.empty(), false, 1.0, Duration.ofSeconds(1));

  @Test
  void offUnlessEnabledAndNotDisabledByTheStandardVariable() {
    assertThat(Telemetry.start(TelemetrySettings.OFF, name -> null, name -> Optional.empty()))
        .isEmpty();
    assertThat(
            Telemetry.start(ON, Map.of("OTEL_SDK_DISABLED", "TRUE")::get, name -> Optional.empty()))
        .isEmpty();
    try (Telemetry on = Telemetry.start(ON, name -> null, name -> Optional.empty()).orElseThrow()) {
      assertThat(on).isNotNull();
    }
  }

  @Test
  void aSignalsUrlIsItsOwnVariableOrTheBaseWithItsPath() {
    assertThat(Telemetry.signal("http://c:4318/", "traces", name -> null))
        .isEqualTo("http://c:4318/v1/traces");
    assertThat(Telemetry.signal("http://c:4318", "metrics", name -> null))
        .isEqualTo("http://c:4318/v1/metrics");
    assertThat(
            Telemetry.signal(
                "http://c:4318",
                "traces",
                Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:1/x")::get))
        .isEqualTo("http://t:1/x");
  }

  @Test
  void theStandardHeadersVariableIsCommaSeparatedUrlEncodedPairs() {
    assertThat(Telemetry.parseHeaders("api-key=a%20b, x-team = blue,broken,"))
        .containsExactly(Map.entry("api-key", "a b"), Map.entry("x-team", "blue"));
    assertThat(Telemetry.parseHeaders("")).isEmpty();
  }
}
