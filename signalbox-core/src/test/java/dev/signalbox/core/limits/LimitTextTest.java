package dev.signalbox.core.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How limits write waits and dollars in headers, messages and traces. */
class LimitTextTest {
  @Test
  void aWaitIsWrittenAsOpenAiWritesIt() {
    assertThat(ScopeCounters.duration(0)).isEqualTo("0ms");
    assertThat(ScopeCounters.duration(349_000_001)).isEqualTo("350ms");
    assertThat(ScopeCounters.duration(2_000_000_000L)).isEqualTo("2s");
    assertThat(ScopeCounters.duration(2_500_000_000L)).isEqualTo("2.5s");
    assertThat(ScopeCounters.duration(2_050_000_000L)).isEqualTo("2.05s");
    assertThat(ScopeCounters.duration(2_005_000_000L)).isEqualTo("2.005s");
    assertThat(ScopeCounters.duration(62_500_000_000L)).isEqualTo("1m2.5s");
    assertThat(ScopeCounters.duration(120_000_000_000L)).isEqualTo("2m0s");
  }

  @Test
  void dollarsHaveSixDecimals() {
    assertThat(Charge.dollars(0)).isEqualTo("0.000000");
    assertThat(Charge.dollars(1_250)).isEqualTo("0.001250");
    assertThat(Charge.dollars(12_345_678_901L)).isEqualTo("12345.678901");
  }
}
