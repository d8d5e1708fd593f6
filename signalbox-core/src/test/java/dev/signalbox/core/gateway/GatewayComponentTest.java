package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.dispatch.Backoff;
import dev.signalbox.core.pool.PoolState;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.FakeUpstream;
import dev.signalbox.testing.ManualClock;
import dev.signalbox.testing.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway end to end but for HTTP: router, dispatcher and relay over scripted upstreams on a
 * manual clock.
 */
@Timeout(10)
class GatewayComponentTest {
  private final ManualClock clock = new ManualClock();
  private final RecordingListener events = new RecordingListener();
  private final Map<String, FakeUpstream> upstreams = new HashMap<>();
  private final GatewayConfig config =
      TestConfigs.read(
          TestConfigs.pool(
              """
              - name: auto
                models: [small, medium]
                policy: priority
                timeout: 10s
              - name: tight
                models: [small]
                policy: priority
                timeout: 500ms
              """));
  private final Gateway gateway =
      Gateway.create(
          config, TestConfigs.gatewaySettings(clock, events, d -> upstream(d.name())).build());

  private FakeUpstream upstream(String deployment) {
    return upstreams.computeIfAbsent(
        deployment, d -> new FakeUpstream(call -> FakeUpstream.completed("from " + d)));
  }

  private static UpstreamReply status(int code, Duration retryAfter) {
    return new UpstreamReply.Failed(
        UpstreamFailure.status(code, Optional.ofNullable(retryAfter), "HTTP " + code));
  }

  private static ChatRequest request(String model, boolean stream) {
    return ChatRequestParser.parse(
        ("{\"model\":\""
                + model
                + "\",\"stream\":"
                + stream
                + ",\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .getBytes(StandardCharsets.UTF_8));
  }

  private Handled handle(String model, boolean stream) throws InterruptedException {
    return gateway.handle(request(model, stream), new Caller("t", Set.of(), Map.of()));
  }

  @Test
  void aServerErrorFallsBackAtOnceToTheNextDeployment() throws Exception {
    upstream("small-a").then(status(503, null));
    Handled handled = handle("auto", false);
    assertThat(handled).isInstanceOf(Handled.Completed.class);
    assertThat(handled.info().deployment()).isEqualTo("small-b");
    assertThat(handled.info().attempts()).isEqualTo(2);
    assertThat(clock.elapsed()).as("no backoff before an untried deployment").isZero();
    assertThat(events.events())
        .containsExactly(
            "requestStart auto",
            "decided auto small@small-a",
            "attemptStart small@small-a",
            "attemptFailed small@small-a 503",
            "fallback small@small-a 503",
            "attemptStart small@small-b",
            "firstToken small@small-b",
            "attemptEnd small@small-b ok",
            "requestEnd ok");
    DecisionTrace trace = events.lastTrace();
    assertThat(trace.attempts()).extracting(AttemptTrace::result).containsExactly("503", "ok");
    assertThat(trace.costUsd())
        .isEqualTo(config.model("small").orElseThrow().pricing().cost(new Usage(10, 0, 5, false)));
  }

  @Test
  void aDeploymentAlreadyTriedWaitsAtLeastItsRetryAfter() throws Exception {
    GatewayConfig single =
        TestConfigs.read(TestConfigs.pool("- {name: one, models: [medium], max-attempts: 2}"));
    Gateway g =
        Gateway.create(
            single,
            Gateway.Settings.builder()
                .time(clock)
                .seeds(new SplittableRandom(1)::nextLong)
                .upstreams(d -> upstream(d.name()))
                .listener(events)
                .sink(trace -> {})
                .pool(new PoolState(clock))
                .backoff(Backoff.DEFAULT)
                .policies(TestConfigs.policies())
                .signals(TestConfigs.signals())
                .build());
    upstream("medium-a").then(status(429, Duration.ofSeconds(3)));
    Handled handled = g.handle(request("one", false), new Caller("t", Set.of(), Map.of()));
    assertThat(handled).isInstanceOf(Handled.Completed.class);
    assertThat(clock.elapsed())
        .isGreaterThanOrEqualTo(Duration.ofSeconds(3))
        .isLessThan(Duration.ofSeconds(4));
    assertThat(upstream("medium-a").calls()).hasSize(2);
  }

  @Test
  void aRetryAfterLongerThanTheGatewayWaitsIsNotWaitedFor() throws Exception {
    GatewayConfig single =
        TestConfigs.read(TestConfigs.pool("- {name: one, models: [medium], max-attempts: 2}"));
    Gateway g =
        Gateway.create(
            single,
            Gateway.Settings.builder()
                .time(clock)
                .seeds(new SplittableRandom(1)::nextLong)
                .upstreams(d -> upstream(d.name()))
                .listener(events)
                .sink(trace -> {})
                .pool(new PoolState(clock))
                .backoff(Backoff.DEFAULT)
                .policies(TestConfigs.policies())
                .signals(TestConfigs.signals())
                .build());
    upstream("medium-a").then(status(429, Duration.ofSeconds(60)));
    Handled handled = g.handle(request("one", false), new Caller("t", Set.of(), Map.of()));
    assertThat(handled)
        .isInstanceOfSatisfying(
            Handled.Rejected.class,
            r -> {
              assertThat(r.error().getMessage())
                  .isEqualTo(
                      "rate limited upstream after 2 attempts for 'one': medium@medium-a [429:"
                          + " HTTP 429], medium-a [not retried: Retry-After 60000 ms is longer"
                          + " than the 5000 ms this gateway waits]");
              // The client is told to wait as the upstream asked, not the gateway's shorter wait.
              assertThat(r.error().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
              assertThat(r.error().retryAfter()).contains(Duration.ofSeconds(60));
            });
    assertThat(clock.elapsed()).isZero();
    assertThat(upstream("medium-a").calls()).hasSize(1);
  }

  @Test
  void aClientErrorFromTheUpstreamIsNotRetried() throws Exception {
    upstream("small-a").then(status(400, null));
    Handled handled = handle("auto", false);
    assertThat(handled)
        .isInstanceOfSatisfying(
            Handled.Rejected.class,
            r -> {
              assertThat(r.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
              assertThat(r.error().getMessage())
                  .isEqualTo(
                      "deployment 'small-a' of model 'small' rejected the request: HTTP 400");
            });
    assertThat(upstream("small-b").calls()).isEmpty();
  }

  @Test
  void whenEveryAttemptFailsTheErrorNamesWhatWasTried() throws Exception {
    for (String d : List.of("small-a", "small-b", "medium-a")) {
      upstream(d).then(status(502, null)).then(status(502, null));
    }
    Handled handled = handle("auto", false);
    assertThat(handled)
        .isInstanceOfSatisfying(
            Handled.Rejected.class,
            r -> {
              assertThat(r.error().kind()).isEqualTo(ErrorKind.UPSTREAM_FAILED);
              assertThat(r.error().getMessage())
                  .startsWith(
                      "failed after 4 attempts for 'auto': small@small-a [502: HTTP 502],"
                          + " small@small-b [502: HTTP 502], medium@medium-a [502: HTTP 502],"
                          + " small@small-a [502: HTTP 502]");
            });
    assertThat(events.lastTrace().outcome()).isEqualTo("upstream_failed");
    assertThat(events.lastTrace().attempts()).hasSize(4);
  }

  /** An upstream that never answers: it takes all the time its call allows, then times out. */
  private UpstreamReply stallsUntilItsTimeout(dev.signalbox.api.UpstreamCall call) {
    clock.advance(call.firstTokenTimeout());
    return new UpstreamReply.Failed(
        UpstreamFailure.of(UpstreamFailure.Kind.TIMEOUT, "no first token in time"));
  }

  @Test
  void timeoutsBeforeTheFirstTokenEndIn504WhenTheDeadlinePasses() throws Exception {
    for (String d : List.of("small-a", "small-b")) {
      upstream(d).always(this::stallsUntilItsTimeout);
    }
    Handled handled = handle("tight", false);
    assertThat(handled)
        .isInstanceOfSatisfying(
            Handled.Rejected.class,
            r -> assertThat(r.error().kind()).isEqualTo(ErrorKind.UPSTREAM_TIMEOUT));
    assertThat(events.lastTrace().outcome()).isEqualTo("upstream_timeout");
    assertThat(upstream("small-a").calls().get(0).firstTokenTimeout())
        .as("its share of the route's 500 ms: a fallback follows it")
        .isEqualTo(Duration.ofMillis(250));
    assertThat(upstream("small-b").calls().get(0).firstTokenTimeout())
        .as("the last in the plan: what is left of the route's deadline")
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void aRouteTimeoutShorterThanTheDeploymentsLeavesTheFallbackItsTurn() throws Exception {
    upstream("small-a").always(this::stallsUntilItsTimeout);
    Handled handled = handle("tight", false);
    assertThat(handled).isInstanceOf(Handled.Completed.class);
    assertThat(handled.info().deployment()).isEqualTo("small-b");
    assertThat(events.lastTrace().attempts()).hasSize(2);
  }

  @Test
  void aStreamThatBreaksBeforeItsFirstChunkFallsBack() throws Exception {
    upstream("small-a")
        .then(
            new UpstreamReply.Streaming(
                FakeUpstream.chunks(
                    new Chunk.Broken(
                        UpstreamFailure.of(
                            UpstreamFailure.Kind.RESET, "reset before first chunk")))));
    upstream("small-b")
        .then(
            new UpstreamReply.Streaming(
                FakeUpstream.chunks(
                    delta("Hel"), delta("lo"), new Chunk.Done(new Usage(3, 0, 2, false), "stop"))));
    Handled handled = handle("auto", true);
    String body = relay((Handled.Streaming) handled);
    assertThat(body)
        .contains(
            "\"content\":\"Hel\"",
            "\"content\":\"lo\"",
            "\"usage\":{\"prompt_tokens\":3",
            "data: [DONE]");
    DecisionTrace trace = events.lastTrace();
    assertThat(trace.outcome()).isEqualTo("ok");
    assertThat(trace.attempts())
        .extracting(AttemptTrace::deployment, AttemptTrace::result, AttemptTrace::committed)
        .containsExactly(tuple("small-a", "reset", false), tuple("small-b", "ok", true));
  }

  @Test
  void beyondMaxInFlightARequestIsRefusedAtOnceAndChangesNothing() throws Exception {
    GatewayConfig limited =
        TestConfigs.read(
            "server: {max-in-flight: 1}\n" + TestConfigs.pool("- {name: one, models: [small]}"));
    Gateway g =
        Gateway.create(
            limited,
            Gateway.Settings.builder()
                .time(clock)
                .seeds(new SplittableRandom(3)::nextLong)
                .upstreams(d -> upstream(d.name()))
                .listener(events)
                .sink(trace -> {})
                .pool(new PoolState(clock))
                .backoff(Backoff.DEFAULT)
                .policies(TestConfigs.policies())
                .signals(TestConfigs.signals())
                .build());
    upstream("small-a")
        .then(
            new UpstreamReply.Streaming(
                FakeUpstream.chunks(delta("still going"), new Chunk.Done(Usage.ZERO, "stop"))));
    Handled.Streaming open =
        (Handled.Streaming) g.handle(request("one", true), new Caller("t", Set.of(), Map.of()));

    assertThatThrownBy(() -> g.handle(request("one", false), new Caller("t", Set.of(), Map.of())))
        .isInstanceOfSatisfying(
            SignalboxException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED);
              assertThat(e.code()).contains("overloaded");
              assertThat(e.getMessage()).contains("server.max-in-flight");
            });
    assertThat(upstream("small-a").calls())
        .as("the refused request reached no upstream")
        .hasSize(1);
    assertThat(g.inFlight()).isEqualTo(1);

    relay(open);
    assertThat(g.handle(request("one", false), new Caller("t", Set.of(), Map.of())))
        .isInstanceOf(Handled.Completed.class);
    assertThat(g.inFlight()).isZero();
  }

  @Test
  void nothingIsRetriedPastTheCommitBoundary() throws Exception {
    upstream("small-a")
        .then(
            new UpstreamReply.Streaming(
                FakeUpstream.chunks(
                    delta("partial"),
                    new Chunk.Broken(
                        UpstreamFailure.of(UpstreamFailure.Kind.RESET, "cut mid-stream")))));
    String body = relay((Handled.Streaming) handle("auto", true));
    assertThat(body)
        .contains("\"content\":\"partial\"", "\"code\":\"stream_broken\"")
        .doesNotContain("[DONE]");
    assertThat(upstream("small-b").calls()).isEmpty();
    DecisionTrace trace = events.lastTrace();
    assertThat(trace.outcome()).isEqualTo("stream_broken");
    assertThat(trace.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.result()).isEqualTo("reset");
              assertThat(a.committed()).isTrue();
              assertThat(a.error()).isEqualTo("cut mid-stream");
            });
    assertThat(gateway.inFlight()).isZero();
  }

  @Test
  void aClientThatLeavesCancelsTheUpstreamAndIsRecorded() throws Exception {
    boolean[] cancelled = {false};
    upstream("small-a")
        .then(
            new UpstreamReply.Streaming(
                new dev.signalbox.api.ChunkStream() {
                  @Override
                  public Chunk next() {
                    return delta("tick");
                  }

                  @Override
                  public void cancel() {
                    cancelled[0] = true;
                  }
                }));
    Handled.Streaming streaming = (Handled.Streaming) handle("auto", true);
    int[] writes = {0};
    streaming
        .relay()
        .relay(
            bytes -> {
              if (++writes[0] > 3) {
                throw new java.io.IOException("broken pipe");
              }
            });
    assertThat(cancelled[0]).isTrue();
    assertThat(events.lastTrace().outcome()).isEqualTo("client_cancelled");
    assertThat(gateway.inFlight()).isZero();
  }

  @Test
  void anUpstreamThatThrowsIsStillTracedOnceAndReleasesTheRequest() {
    upstream("small-a")
        .then(
            call -> {
              throw new IllegalStateException("adapter bug");
            });
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> handle("auto", false))
        .hasMessage("adapter bug");
    assertThat(events.lastTrace().outcome()).isEqualTo("internal_error");
    assertThat(events.lastTrace().error()).isEqualTo("IllegalStateException: adapter bug");
    assertThat(events.traces()).hasSize(1);
    assertThat(gateway.inFlight()).isZero();
  }

  @Test
  void reloadSwapsTheConfigForNewRequestsOnly() throws Exception {
    GatewayConfig next =
        TestConfigs.read(TestConfigs.pool("- {name: auto, models: [medium], policy: priority}"));
    gateway.reload(next);
    assertThat(handle("auto", false).info().model()).isEqualTo("medium");
    assertThat(handle("tight", false))
        .isInstanceOfSatisfying(
            Handled.Rejected.class, r -> assertThat(r.error().code()).contains("model_not_found"));
  }

  @Test
  void aKeyLimitedToSomeRoutesIsRefusedOthers() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                gateway.handle(request("tight", false), new Caller("t", Set.of("auto"), Map.of())))
        .isInstanceOfSatisfying(
            dev.signalbox.api.SignalboxException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.FORBIDDEN);
              assertThat(e.getMessage()).isEqualTo("Your key may not use 'tight' (allowed: auto).");
            });
  }

  private static Chunk delta(String text) {
    ObjectNode chunk = Json.chunk("c1", 0, "m");
    Json.choiceDelta(chunk, null).put("content", text);
    return new Chunk.Delta(chunk);
  }

  private static String relay(Handled.Streaming streaming) throws InterruptedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    streaming.relay().relay(out::write);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void anOpenCircuitGoesLastInThePlanAndClosesAfterAProbe() throws Exception {
    List<DecisionTrace> traces = new ArrayList<>();
    Gateway g =
        Gateway.create(
            config,
            Gateway.Settings.builder()
                .time(clock)
                .seeds(new SplittableRandom(5)::nextLong)
                .upstreams(d -> upstream(d.name()))
                .listener(events)
                .sink(traces::add)
                .pool(new PoolState(clock))
                .backoff(Backoff.DEFAULT)
                .policies(TestConfigs.policies())
                .signals(TestConfigs.signals())
                .build());
    upstream("small-a").always(call -> status(503, null));
    for (int i = 0; i < 5; i++) { // the default breaker opens after five failures in a row
      g.handle(request("auto", false), new Caller("t", Set.of(), Map.of()));
    }
    Handled handled = g.handle(request("auto", false), new Caller("t", Set.of(), Map.of()));
    assertThat(handled.info().deployment()).isEqualTo("small-b");
    assertThat(upstream("small-a").calls()).hasSize(5);
    DecisionTrace routedAround = traces.get(traces.size() - 1);
    assertThat(routedAround.pool().state("small-a").breaker()).isEqualTo("open");
    assertThat(routedAround.plan())
        .extracting(PlanStep::deployment)
        .containsExactly("small-b", "small-a", "medium-a");
    assertThat(routedAround.attempts())
        .extracting(AttemptTrace::deployment)
        .containsExactly("small-b");

    upstream("small-a").always(call -> FakeUpstream.completed("from small-a"));
    clock.advance(Duration.ofSeconds(30)); // the default cooldown
    Handled probe = g.handle(request("auto", false), new Caller("t", Set.of(), Map.of()));
    assertThat(probe.info().deployment())
        .as("the half-open circuit lets a probe through")
        .isEqualTo("small-a");
    assertThat(traces.get(traces.size() - 1).pool().state("small-a").breaker())
        .isEqualTo("half-open");
    assertThat(
            g.handle(request("auto", false), new Caller("t", Set.of(), Map.of()))
                .info()
                .deployment())
        .isEqualTo("small-a");
    assertThat(g.pool().state("small-a").breaker()).isEqualTo("closed");
  }

  @Test
  void aBurstUnderLeastOutstandingSpreadsEvenlyBecauseEachAssignmentCountsAtOnce()
      throws Exception {
    GatewayConfig four =
        TestConfigs.read(
            """
            deployments:
              - {name: d1, provider: sim}
              - {name: d2, provider: sim}
              - {name: d3, provider: sim}
              - {name: d4, provider: sim}
            models:
              - {name: m, deployments: [d1, d2, d3, d4], deployment-selector: least-outstanding}
            routes:
              - {name: r, models: [m], policy: priority}
            """);
    int requests = 100;
    CountDownLatch allInFlight = new CountDownLatch(requests);
    Map<String, java.util.concurrent.atomic.AtomicInteger> landed =
        new java.util.concurrent.ConcurrentHashMap<>();
    Gateway g =
        Gateway.create(
            four,
            Gateway.Settings.builder()
                .time(clock)
                .seeds(new SplittableRandom(9)::nextLong)
                .upstreams(
                    d ->
                        call -> {
                          landed
                              .computeIfAbsent(
                                  d.name(), k -> new java.util.concurrent.atomic.AtomicInteger())
                              .incrementAndGet();
                          allInFlight.countDown();
                          try {
                            allInFlight.await(); // every request is under way before any ends
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return FakeUpstream.completed("ok");
                        })
                .listener(events)
                .sink(trace -> {})
                .pool(new PoolState(clock))
                .backoff(Backoff.DEFAULT)
                .policies(TestConfigs.policies())
                .signals(TestConfigs.signals())
                .build());
    CyclicBarrier release = new CyclicBarrier(requests);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      release.await();
                      g.handle(request("r", false), new Caller("t", Set.of(), Map.of()));
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join(5_000);
    }
    assertThat(landed.keySet()).containsExactlyInAnyOrder("d1", "d2", "d3", "d4");
    assertThat(landed.values()).allSatisfy(n -> assertThat(n.get()).isBetween(23, 27));
    assertThat(g.pool().deployments().values()).allSatisfy(s -> assertThat(s.inFlight()).isZero());
  }

  @Test
  void whenEveryCircuitIsOpenTheLeastRecentlyFailedIsTriedRatherThanNone() throws Exception {
    GatewayConfig single =
        TestConfigs.read(TestConfigs.pool("- {name: one, models: [small], max-attempts: 2}"));
    List<DecisionTrace> traces = new ArrayList<>();
    Gateway g =
        Gateway.create(
            single,
            Gateway.Settings.builder()
                .time(clock)
                .seeds(new SplittableRandom(1)::nextLong)
                .upstreams(d -> upstream(d.name()))
                .listener(events)
                .sink(traces::add)
                .pool(new PoolState(clock))
                .backoff(Backoff.DEFAULT)
                .policies(TestConfigs.policies())
                .signals(TestConfigs.signals())
                .build());
    upstream("small-a").always(call -> status(503, null));
    upstream("small-b").always(call -> status(503, null));
    for (int i = 0; i < 5; i++) {
      g.handle(request("one", false), new Caller("t", Set.of(), Map.of()));
      clock.advance(Duration.ofMillis(10));
    }
    assertThat(traces.get(traces.size() - 1).pool().deployments().values())
        .allMatch(s -> s.consecutiveFailures() >= 4);
    upstream("small-a").always(call -> FakeUpstream.completed("from small-a"));
    Handled handled = g.handle(request("one", false), new Caller("t", Set.of(), Map.of()));
    DecisionTrace last = traces.get(traces.size() - 1);
    assertThat(last.pool().state("small-a").breaker()).isEqualTo("open");
    assertThat(last.pool().state("small-b").breaker()).isEqualTo("open");
    assertThat(last.flags()).contains("breaker-override");
    // Each round tried small-a, then small-b: small-a failed longest ago.
    assertThat(last.attempts())
        .extracting(AttemptTrace::deployment, AttemptTrace::result)
        .containsExactly(
            tuple("small-a", "breaker_open"),
            tuple("small-b", "breaker_open"),
            tuple("small-a", "ok"));
    assertThat(handled).isInstanceOf(Handled.Completed.class);
    assertThat(handled.info().deployment()).isEqualTo("small-a");
  }
}
