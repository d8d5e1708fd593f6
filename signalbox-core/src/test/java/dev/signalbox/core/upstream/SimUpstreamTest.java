package dev.signalbox.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SimUpstreamTest {
  private static DeploymentSpec deployment(String sim) {
    return TestConfigs.read(
            "deployments:\n  - name: d\n    provider: sim\n    sim: "
                + sim
                + "\nmodels:\n  - {name: m, deployments: [d]}\n")
        .deployment("d");
  }

  private static UpstreamCall call(boolean stream, long seed) {
    ChatRequest request =
        ChatRequestParser.parse(
            ("{\"model\":\"m\",\"stream\":"
                    + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")
                .getBytes(StandardCharsets.UTF_8));
    return new UpstreamCall(
        request,
        "sim-m",
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        seed);
  }

  @Test
  void theSameSeedGivesTheSameAnswerAndTiming() throws Exception {
    DeploymentSpec spec =
        deployment(
            "{time-to-first-token-ms: {median: 20, p99: 80}, output-tokens: {median: 30, p99:"
                + " 90}}");
    ManualClock first = new ManualClock();
    ManualClock second = new ManualClock();
    var a =
        (UpstreamReply.Completed)
            new SimUpstream(spec, first, TestConfigs.tokens()).send(call(false, 99));
    var b =
        (UpstreamReply.Completed)
            new SimUpstream(spec, second, TestConfigs.tokens()).send(call(false, 99));
    assertThat(Json.text(a.body().get("choices"))).isEqualTo(Json.text(b.body().get("choices")));
    assertThat(a.usage()).isEqualTo(b.usage());
    assertThat(first.elapsed()).isEqualTo(second.elapsed()).isPositive();
  }

  @Test
  void streamsOneTokenAChunkAndReportsUsage() throws Exception {
    DeploymentSpec spec =
        deployment(
            "{output-tokens: {median: 5, p99: 5}, ms-per-token: {median: 10, p99: 10},"
                + " time-to-first-token-ms: {median: 50, p99: 50}}");
    ManualClock clock = new ManualClock();
    var stream =
        ((UpstreamReply.Streaming)
                new SimUpstream(spec, clock, TestConfigs.tokens()).send(call(true, 1)))
            .chunks();
    List<Chunk> chunks = new ArrayList<>();
    Chunk c;
    do {
      c = stream.next();
      chunks.add(c);
    } while (c instanceof Chunk.Delta);
    assertThat(chunks).hasSize(7);
    assertThat(chunks.get(6))
        .isInstanceOfSatisfying(
            Chunk.Done.class, d -> assertThat(d.usage().completionTokens()).isEqualTo(5));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(50 + 4 * 10));
  }

  @Test
  void faultRatesHoldOverManySeeds() throws Exception {
    DeploymentSpec spec = deployment("{error-rate: 0.2, rate-limit-rate: 0.1, retry-after: 2s}");
    SimUpstream sim = new SimUpstream(spec, new ManualClock(), TestConfigs.tokens());
    Map<String, Integer> outcomes = new HashMap<>();
    int n = 5_000;
    for (int seed = 0; seed < n; seed++) {
      UpstreamReply reply = sim.send(call(false, seed * 7919L));
      String key =
          reply instanceof UpstreamReply.Failed f
              ? (f.failure().status() == 429 ? "429" : "5xx")
              : "ok";
      outcomes.merge(key, 1, Integer::sum);
      if (reply instanceof UpstreamReply.Failed f && f.failure().status() == 429) {
        assertThat(f.failure().retryAfter()).contains(Duration.ofSeconds(2));
      }
    }
    assertThat(outcomes.get("5xx") / (double) n).isBetween(0.18, 0.22);
    assertThat(outcomes.get("429") / (double) n).isBetween(0.085, 0.115);
  }

  @Test
  void aFirstTokenSlowerThanTheTimeoutIsATimeout() throws Exception {
    DeploymentSpec spec = deployment("{time-to-first-token-ms: {median: 5000, p99: 5000}}");
    ManualClock clock = new ManualClock();
    UpstreamReply reply = new SimUpstream(spec, clock, TestConfigs.tokens()).send(call(true, 3));
    assertThat(reply)
        .isInstanceOfSatisfying(
            UpstreamReply.Failed.class,
            f -> assertThat(f.failure().kind()).isEqualTo(UpstreamFailure.Kind.TIMEOUT));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void beyondItsConcurrencyARequestWaitsForASlot() throws Exception {
    DeploymentSpec spec = deployment("{max-concurrency: 1, output-tokens: {median: 3, p99: 3}}");
    SimUpstream upstream = new SimUpstream(spec, new ManualClock(), TestConfigs.tokens());
    var stream = ((UpstreamReply.Streaming) upstream.send(call(true, 1))).chunks();
    java.util.concurrent.CompletableFuture<UpstreamReply> second =
        new java.util.concurrent.CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                second.complete(upstream.send(call(false, 2)));
              } catch (InterruptedException e) {
                second.completeExceptionally(e);
              }
            });
    Thread.sleep(100);
    assertThat(second).as("the only slot is held by the open stream").isNotDone();
    Chunk c;
    do {
      c = stream.next();
    } while (c instanceof Chunk.Delta);
    assertThat(second.get(5, java.util.concurrent.TimeUnit.SECONDS))
        .isInstanceOf(UpstreamReply.Completed.class);
  }
}
