package dev.signalbox.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.testing.ManualClock;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * vLLM's running and waiting counts, read from its Prometheus endpoint, re-anchor a deployment's
 * load.
 */
@Timeout(20)
class DeploymentProbesTest {
  private static final String EXPOSITION =
      """
      # HELP vllm:num_requests_running Number of requests currently running on GPU.
      # TYPE vllm:num_requests_running gauge
      vllm:num_requests_running{model_name="meta llama/3 8b"} 3.0
      # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
      # TYPE vllm:num_requests_waiting gauge
      vllm:num_requests_waiting{model_name="meta llama/3 8b"} 4.0 1700000000000
      vllm:num_requests_running_total 99
      vllm:gpu_cache_usage_perc{model_name="meta llama/3 8b"} 0.5
      """;

  @Test
  void readsRunningPlusWaitingAcrossLabelsAndTimestamps() {
    assertThat(DeploymentProbes.serverLoad(EXPOSITION)).hasValue(7);
    assertThat(
            DeploymentProbes.serverLoad(
                "vllm:num_requests_running 2\nvllm:num_requests_running{a=\"b\"} 1\n"))
        .hasValue(3);
    assertThat(DeploymentProbes.serverLoad("process_cpu_seconds_total 5\n"))
        .isEqualTo(OptionalLong.empty());
  }

  @Test
  void aGatewayReanchorsTheDeploymentsLoadOnEachPoll() throws Exception {
    try (ScriptedUpstreamServer vllm =
        new ScriptedUpstreamServer(ScriptedUpstreamServer.json(200, EXPOSITION))) {
      GatewayConfig config =
          TestConfigs.read(
              """
              deployments:
                - {name: local, provider: sim, metrics-url: "http://127.0.0.1:%d/metrics", metrics-interval: 20ms}
              models:
                - {name: m, deployments: [local]}
              """
                  .formatted(vllm.port()));
      PoolState pool = new PoolState(new ManualClock());
      try (DeploymentProbes probes =
          DeploymentProbes.start(
              config,
              pool,
              Thread.ofVirtual().factory(),
              DeploymentProbes::client,
              dev.signalbox.api.TimeSource.SYSTEM)) {
        awaitLoad(pool, 7);
        PoolState.Lease ours = pool.start(config.deployment("local"), 10, 10, false);
        assertThat(pool.snapshot().state("local").inFlight())
            .as("dead reckoning from the anchor")
            .isEqualTo(8);
        vllm.always(
            ScriptedUpstreamServer.json(
                200, "vllm:num_requests_running 1\nvllm:num_requests_waiting 0\n"));
        awaitLoad(pool, 1); // the server now counts one: ours
        ours.succeeded(5);
        assertThat(pool.snapshot().state("local").inFlight()).isZero();
      }
      assertThat(vllm.requests()).allSatisfy(r -> assertThat(r.path()).isEqualTo("/metrics"));
    }
  }

  @Test
  void activeHealthChecksOpenTheBreakerAndLetItProbeAgainWhenHealthy() throws Exception {
    try (ScriptedUpstreamServer health =
        new ScriptedUpstreamServer(ScriptedUpstreamServer.json(503, "{}"))) {
      GatewayConfig config =
          TestConfigs.read(
              """
              deployments:
                - name: local
                  provider: sim
                  health-check-url: "http://127.0.0.1:%d/health"
                  health-check-interval: 20ms
                  breaker: {consecutive-failures: 2, cooldown: 1h}
              models:
                - {name: m, deployments: [local]}
              """
                  .formatted(health.port()));
      PoolState pool = new PoolState(new ManualClock());
      try (DeploymentProbes probes =
          DeploymentProbes.start(
              config,
              pool,
              Thread.ofVirtual().factory(),
              DeploymentProbes::client,
              dev.signalbox.api.TimeSource.SYSTEM)) {
        awaitBreaker(pool, "open");
        health.always(ScriptedUpstreamServer.json(200, "{\"status\":\"ok\"}"));
        awaitBreaker(pool, "half-open"); // long before the hour's cooldown
      }
    }
  }

  private static void awaitBreaker(PoolState pool, String expected) throws InterruptedException {
    for (int i = 0; i < 500 && !pool.snapshot().state("local").breaker().equals(expected); i++) {
      Thread.sleep(10);
    }
    assertThat(pool.snapshot().state("local").breaker()).isEqualTo(expected);
  }

  private static void awaitLoad(PoolState pool, long expected) throws InterruptedException {
    for (int i = 0; i < 500 && pool.snapshot().state("local").inFlight() != expected; i++) {
      Thread.sleep(10);
    }
    assertThat(pool.snapshot().state("local").inFlight()).isEqualTo(expected);
  }
}
