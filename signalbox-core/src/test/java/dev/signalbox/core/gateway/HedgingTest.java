package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.dispatch.Backoff;
import dev.signalbox.core.pool.PoolState;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.FakeUpstream;
import dev.signalbox.testing.ManualClock;
import dev.signalbox.testing.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hedging before the first byte: a stalled first attempt is raced by the next deployment, and the
 * loser cancelled.
 */
@Timeout(20)
class HedgingTest {
  private final ManualClock clock = new ManualClock();
  private final List<DecisionTrace> traces = new ArrayList<>();
  private final Map<String, FakeUpstream> upstreams = new HashMap<>();
  private final CountDownLatch interrupted = new CountDownLatch(1);

  private Gateway gateway(String hedge) {
    return Gateway.create(
        TestConfigs.read(
            TestConfigs.pool(
                "- {name: hedged, models: [small], policy: priority, hedge: " + hedge + "}")),
        Gateway.Settings.builder()
            .time(clock)
            .seeds(new SplittableRandom(3)::nextLong)
            .upstreams(d -> upstream(d.name()))
            .listener(new RecordingListener())
            .sink(traces::add)
            .pool(new PoolState(clock))
            .backoff(Backoff.DEFAULT)
            .policies(TestConfigs.policies())
            .signals(TestConfigs.signals())
            .build());
  }

  private FakeUpstream upstream(String deployment) {
    return upstreams.computeIfAbsent(
        deployment, d -> new FakeUpstream(call -> FakeUpstream.completed("from " + d)));
  }

  /** Blocks until interrupted (the hedge won), which it counts. */
  private Function<dev.signalbox.api.UpstreamCall, UpstreamReply> stalled() {
    return call -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
      return new UpstreamReply.Failed(
          UpstreamFailure.of(UpstreamFailure.Kind.CANCELLED, "interrupted"));
    };
  }

  private static Function<dev.signalbox.api.UpstreamCall, UpstreamReply> after(
      long millis, String text) {
    return call -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        return new UpstreamReply.Failed(
            UpstreamFailure.of(UpstreamFailure.Kind.CANCELLED, "interrupted"));
      }
      return FakeUpstream.completed(text);
    };
  }

  private static ChatRequest request(boolean stream) {
    return ChatRequestParser.parse(
        ("{\"model\":\"hedged\",\"stream\":"
                + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static Handled handle(Gateway g, boolean stream) throws InterruptedException {
    return g.handle(request(stream), new Caller("t", Set.of(), Map.of()));
  }

  @Test
  void aStalledFirstAttemptIsHedgedAndTheLoserCancelled() throws Exception {
    Gateway g = gateway("{after: 30ms, max-share: 1}");
    upstream("small-a").always(stalled());
    Handled handled = handle(g, false);
    assertThat(handled.info().deployment()).isEqualTo("small-b");
    assertThat(interrupted.await(5, TimeUnit.SECONDS))
        .as("the losing call was interrupted")
        .isTrue();
    DecisionTrace trace = traces.get(0);
    assertThat(trace.flags()).contains("hedged");
    assertThat(trace.attempts())
        .extracting(AttemptTrace::deployment, AttemptTrace::result)
        .containsExactly(tuple("small-a", "hedge_lost"), tuple("small-b", "ok"));
    awaitIdle(g);
  }

  @Test
  void anAnswerWithinTheWaitIsNotHedged() throws Exception {
    Gateway g = gateway("{after: 5s, max-share: 1}");
    Handled handled = handle(g, false);
    assertThat(handled.info().deployment()).isEqualTo("small-a");
    assertThat(traces.get(0).flags()).doesNotContain("hedged");
    assertThat(upstream("small-b").calls()).isEmpty();
  }

  @Test
  void hedgesStayWithinTheRoutesShare() throws Exception {
    Gateway g = gateway("{after: 20ms, max-share: 0.5}");
    upstream("small-a").always(after(150, "slow but there"));
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      served.add(handle(g, false).info().deployment());
    }
    // The budget is half the requests so far: none at the first, one by the second, two by the
    // fourth.
    assertThat(served).containsExactly("small-a", "small-b", "small-a", "small-b");
    assertThat(traces).filteredOn(t -> t.flags().contains("hedged")).hasSize(2);
    awaitIdle(g);
  }

  @Test
  void aStreamWhoseFirstChunkStallsIsHedgedAndTheWinnersStreamRelayed() throws Exception {
    Gateway g = gateway("{after: 30ms, max-share: 1}");
    CountDownLatch cancelled = new CountDownLatch(1);
    upstream("small-a")
        .always(
            call ->
                new UpstreamReply.Streaming(
                    new ChunkStream() {
                      @Override
                      public Chunk next() throws InterruptedException {
                        new CountDownLatch(1).await();
                        return new Chunk.Done(Usage.ZERO, "stop");
                      }

                      @Override
                      public void cancel() {
                        cancelled.countDown();
                      }
                    }));
    upstream("small-b")
        .always(
            call ->
                new UpstreamReply.Streaming(
                    FakeUpstream.chunks(
                        delta("Hel"),
                        delta("lo"),
                        new Chunk.Done(new Usage(3, 0, 2, false), "stop"))));
    Handled handled = handle(g, true);
    assertThat(handled.info().deployment()).isEqualTo("small-b");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ((Handled.Streaming) handled).relay().relay(out::write);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("\"content\":\"Hel\"", "\"content\":\"lo\"", "data: [DONE]");
    assertThat(cancelled.await(5, TimeUnit.SECONDS))
        .as("the stalled stream was cancelled")
        .isTrue();
    DecisionTrace trace = traces.get(0);
    assertThat(trace.attempts())
        .extracting(AttemptTrace::deployment, AttemptTrace::result, AttemptTrace::committed)
        .containsExactly(tuple("small-a", "hedge_lost", false), tuple("small-b", "ok", true));
    awaitIdle(g);
  }

  private static Chunk delta(String text) {
    ObjectNode chunk = Json.chunk("c", 0, "m");
    Json.choiceDelta(chunk, null).put("content", text);
    return new Chunk.Delta(chunk);
  }

  /** Every lease is given back once the losing thread ends. */
  private static void awaitIdle(Gateway g) throws InterruptedException {
    for (int i = 0;
        i < 500 && g.pool().deployments().values().stream().anyMatch(s -> s.inFlight() != 0);
        i++) {
      Thread.sleep(10);
    }
    assertThat(g.pool().deployments().values()).allSatisfy(s -> assertThat(s.inFlight()).isZero());
  }
}
