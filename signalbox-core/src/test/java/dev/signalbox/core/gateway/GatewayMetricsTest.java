package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.pool.BreakerListener;
import dev.signalbox.core.pool.BreakerState;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
  @Test
  void breakerTransitionsMoveTheStateGaugeAndAreCounted() {
    GatewayMetrics metrics = new GatewayMetrics();
    metrics.transitioned(
        new BreakerListener.Transition(
            "east", new BreakerState.Closed(), new BreakerState.Open(1), "5 failures in a row"));
    assertThat(metrics.scrape())
        .contains("signalbox_breaker_state{deployment=\"east\"} 2.0")
        .contains(
            "signalbox_breaker_transitions_total{deployment=\"east\",from=\"closed\",to=\"open\"}"
                + " 1.0");
    metrics.transitioned(
        new BreakerListener.Transition(
            "east", new BreakerState.Open(1), new BreakerState.HalfOpen(), "cooldown passed"));
    assertThat(metrics.scrape()).contains("signalbox_breaker_state{deployment=\"east\"} 1.0");
  }
}
