package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogTest {
  @Test
  void aCostIsAPlainDecimalRoundedToTenPlaces() {
    assertThat(AccessLog.plainUsd(5.1599999999999994E-5)).isEqualTo("0.0000516");
    assertThat(AccessLog.plainUsd(3e-12)).isEqualTo("0");
    assertThat(AccessLog.plainUsd(0)).isEqualTo("0");
    assertThat(AccessLog.plainUsd(12.5)).isEqualTo("12.5");
  }
}
