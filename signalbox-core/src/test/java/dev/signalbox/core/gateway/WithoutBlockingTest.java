package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.testing.FakeUpstream;
import dev.signalbox.testing.ManualClock;
import dev.signalbox.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request begun on a thread that must not block: what never blocks happens on it, and the rest
 * moves to a thread of its own at the first step that may, with the same attempts, events and trace
 * as a request handled on a thread of its own from the start.
 */
@Timeout(20)
class WithoutBlockingTest {
  private final ManualClock clock = new ManualClock();
  private final RecordingListener events = new RecordingListener();
  private final List<DecisionTrace> traces = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger handedOff = new AtomicInteger();

  /**
   * Runs what is handed over at once, on the caller's thread: whatever the gateway hands to a
   * thread must be ready to run before the hand-off returns, as it is on a real thread that starts
   * first.
   */
  private final Executor blocking =
      work -> {
        handedOff.incrementAndGet();
        work.run();
      };

  private final AtomicInteger embedded = new AtomicInteger();
  private final Embeddings embedder =
      Embeddings.over(
          "counting",
          texts -> {
            embedded.incrementAndGet();
            return texts.stream()
                .map(t -> t.contains("code") ? new float[] {1, 0} : new float[] {0, 1})
                .toList();
          });
  private final GatewayConfig config =
      TestConfigs.read(
          TestConfigs.pool(
              """
              - {name: auto, models: [small, medium], policy: priority, timeout: 10s}
              - name: triage
                policy: rules
                domains:
                  k: 1
                  min-confidence: 0
                  exemplars:
                    code: ["code one", "code two"]
                    chat: ["chat one", "chat two"]
                rules:
                  - {name: code, domain: [code], route: large-only}
                default: small-only
              - {name: large-only, models: [large]}
              - {name: small-only, models: [small]}
              """));
  private final Gateway gateway =
      Gateway.create(
          config,
          TestConfigs.gatewaySettings(clock, events, d -> new LoopUpstream(d.name()))
              .sink(traces::add)
              .signals(new SignalSources(TestConfigs.tokens(), () -> embedder))
              .build());

  /** An attempt sent without blocking, answered when the test says. */
  private record Pending(String deployment, CompletableFuture<UpstreamReply> reply) {}

  /**
   * Sends whole answers without blocking (they wait in {@link #pending}) and streams by blocking.
   */
  private final class LoopUpstream implements Upstream {
    private final String deployment;
    private final FakeUpstream streams =
        new FakeUpstream(
            call ->
                new UpstreamReply.Streaming(
                    FakeUpstream.chunks(
                        new Chunk.Plain("{}", "hi"), new Chunk.Done(Usage.ZERO, "stop"))));

    LoopUpstream(String deployment) {
      this.deployment = deployment;
    }

    @Override
    public UpstreamReply send(UpstreamCall call) throws InterruptedException {
      return call.request().stream()
          ? streams.send(call)
          : FakeUpstream.completed("from " + deployment);
    }

    @Override
    public boolean sendsWithoutBlocking(ChatRequest request) {
      return !request.stream();
    }

    @Override
    public CompletionStage<UpstreamReply> sendWithoutBlocking(UpstreamCall call) {
      CompletableFuture<UpstreamReply> reply = new CompletableFuture<>();
      pending.add(new Pending(deployment, reply));
      return reply;
    }
  }

  private CompletableFuture<Handled> handle(String model, boolean stream, String prompt) {
    ChatRequest request =
        ChatRequestParser.parse(
            ("{\"model\":\""
                    + model
                    + "\",\"stream\":"
                    + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + prompt
                    + "\"}]}")
                .getBytes(StandardCharsets.UTF_8));
    return gateway
        .handleWithoutBlocking(
            request, new Caller("t", Set.of(), Map.of()), Ingress.CHAT_COMPLETIONS, blocking)
        .toCompletableFuture();
  }

  @Test
  void aWholeAnswerIsDecidedSentAndTracedWithoutAThreadOfItsOwn() throws Exception {
    CompletableFuture<Handled> handled = handle("auto", false, "hi");
    assertThat(handled).isNotDone();
    Pending sent = pending.remove();
    assertThat(sent.deployment()).isEqualTo("small-a");
    sent.reply().complete(FakeUpstream.completed("from small-a"));
    Handled answer = handled.get(5, TimeUnit.SECONDS);
    assertThat(answer).isInstanceOf(Handled.Completed.class);
    assertThat(answer.info().deployment()).isEqualTo("small-a");
    assertThat(handedOff).as("nothing moved to a thread of its own").hasValue(0);
    assertThat(events.events())
        .containsExactly(
            "requestStart auto",
            "decided auto small@small-a",
            "attemptStart small@small-a",
            "firstToken small@small-a",
            "attemptEnd small@small-a ok",
            "requestEnd ok");
    assertThat(traces).singleElement().satisfies(t -> assertThat(t.outcome()).isEqualTo("ok"));
    assertThat(gateway.inFlight()).isZero();
  }

  @Test
  void aFailedFirstAttemptFallsBackOnAThreadOfItsOwnAsABlockingRequestWould() throws Exception {
    CompletableFuture<Handled> handled = handle("auto", false, "hi");
    pending
        .remove()
        .reply()
        .complete(
            new UpstreamReply.Failed(UpstreamFailure.status(503, Optional.empty(), "HTTP 503")));
    Handled answer = handled.get(5, TimeUnit.SECONDS);
    assertThat(answer.info().deployment()).isEqualTo("small-b");
    assertThat(answer.info().attempts()).isEqualTo(2);
    assertThat(handedOff).hasValue(1);
    assertThat(pending).as("the fallback is sent by the thread that walks the plan").isEmpty();
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
    assertThat(traces).hasSize(1);
    assertThat(gateway.inFlight()).isZero();
  }

  @Test
  void aRouteThatReadsAnEmbeddingIsDecidedOnAThreadOfItsOwn() throws Exception {
    CompletableFuture<Handled> handled = handle("triage", false, "some code please");
    Handled answer = handled.get(5, TimeUnit.SECONDS);
    assertThat(answer.info().model()).isEqualTo("large");
    assertThat(handedOff).hasValue(1);
    assertThat(pending).as("sent by the thread that decided it").isEmpty();
    assertThat(embedded.get()).as("the prompt embedded once, where it may block").isPositive();
    assertThat(traces)
        .singleElement()
        .satisfies(t -> assertThat(t.routes()).containsExactly("triage", "large-only"));
  }

  @Test
  void aStreamIsDispatchedOnAThreadOfItsOwnAndEndsWithItsRelay() throws Exception {
    CompletableFuture<Handled> handled = handle("auto", true, "hi");
    Handled answer = handled.get(5, TimeUnit.SECONDS);
    assertThat(answer).isInstanceOf(Handled.Streaming.class);
    assertThat(handedOff).hasValue(1);
    assertThat(gateway.inFlight()).as("until its relay ends").isOne();
  }
}
