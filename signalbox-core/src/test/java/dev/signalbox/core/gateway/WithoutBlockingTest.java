package dev.signalbox.core.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
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
import java.util.ArrayList;
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
import java.util.function.Consumer;
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
                  - {name: cont, models: [small, medium], policy: priority, continue-streams: true}
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
                  """)
              // medium continues a broken text answer (the "cont" route's fallback)
              .replace("[tools, json-schema]", "[tools, json-schema, assistant-prefill]"));
  private final Gateway gateway =
      Gateway.create(
          config,
          TestConfigs.gatewaySettings(clock, events, d -> new LoopUpstream(d.name()))
              .sink(traces::add)
              .signals(new SignalSources(TestConfigs.tokens(), () -> embedder))
              .build());

  /** An attempt sent without blocking, answered when the test says. */
  private record Pending(String deployment, CompletableFuture<UpstreamReply> reply) {}

  private final ConcurrentLinkedQueue<PushedStream> pushedStreams = new ConcurrentLinkedQueue<>();

  /** Whether streams too are sent without blocking (and wait in {@link #pending}). */
  private volatile boolean streamsWithoutBlocking;

  private static Chunk.Plain text(String text) {
    return new Chunk.Plain("{\"choices\":[{\"delta\":{\"content\":\"" + text + "\"}}]}", text);
  }

  /**
   * A stream read by its first chunk and then pushed, as a connection's loop pushes one: the test
   * hands it its chunks.
   */
  private static final class PushedStream implements ChunkStream {
    Consumer<Chunk> receiver;
    boolean paused;
    boolean cancelled;

    @Override
    public Chunk next() {
      return text("Hel");
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public boolean pushes() {
      return true;
    }

    @Override
    public void push(Consumer<Chunk> receiver) {
      this.receiver = receiver;
    }

    @Override
    public void pause() {
      paused = true;
    }

    @Override
    public void resume() {
      paused = false;
    }
  }

  /** A client's connection, which falls behind when the test says. */
  private static final class Client implements ChunkWriter {
    final StringBuilder received = new StringBuilder();
    final List<Runnable> whenCaughtUp = new ArrayList<>();
    boolean behind;

    @Override
    public void write(byte[] bytes) {
      received.append(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public boolean writeWithoutWaiting(byte[] bytes) {
      write(bytes);
      return !behind;
    }

    @Override
    public void whenCaughtUp(Runnable then) {
      whenCaughtUp.add(then);
    }
  }

  /**
   * Sends whole answers without blocking (they wait in {@link #pending}) and streams by blocking;
   * small-a's streams are pushed after their first chunk (they wait in {@link #pushedStreams}).
   */
  private final class LoopUpstream implements Upstream {
    private final String deployment;
    private final FakeUpstream streams =
        new FakeUpstream(
            call ->
                new UpstreamReply.Streaming(
                    FakeUpstream.chunks(text("hi"), new Chunk.Done(Usage.ZERO, "stop"))));

    LoopUpstream(String deployment) {
      this.deployment = deployment;
    }

    @Override
    public UpstreamReply send(UpstreamCall call) throws InterruptedException {
      if (call.request().lastUserText().contains("heap")) {
        throw new OutOfMemoryError("Java heap space (a test's)");
      }
      if (call.request().stream() && deployment.equals("small-a")) {
        PushedStream stream = new PushedStream();
        pushedStreams.add(stream);
        return new UpstreamReply.Streaming(stream);
      }
      return call.request().stream()
          ? streams.send(call)
          : FakeUpstream.completed("from " + deployment);
    }

    @Override
    public boolean sendsWithoutBlocking(ChatRequest request) {
      return !request.stream() || streamsWithoutBlocking;
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
    assertServedOnceBySmallA();
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
  void anErrorOnTheRequestsOwnThreadFailsAndTracesItInsteadOfLeavingItWaiting() {
    CompletableFuture<Handled> handled = handle("auto", true, "out of heap");
    assertThatThrownBy(() -> handled.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(OutOfMemoryError.class);
    assertThat(traces)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.outcome()).isEqualTo("internal_error");
              assertThat(t.error()).isEqualTo("OutOfMemoryError: Java heap space (a test's)");
            });
    assertThat(gateway.inFlight()).isZero();
  }

  @Test
  void aStreamIsDispatchedOnAThreadOfItsOwnAndEndsWithItsRelay() throws Exception {
    CompletableFuture<Handled> handled = handle("auto", true, "hi");
    Handled answer = handled.get(5, TimeUnit.SECONDS);
    assertThat(answer).isInstanceOf(Handled.Streaming.class);
    assertThat(handedOff).hasValue(1);
    assertThat(gateway.inFlight()).as("until its relay ends").isOne();
  }

  /**
   * After its first chunk, a stream is relayed where its chunks are read, with no thread of its
   * own; a client that falls behind pauses its upstream until it has caught up.
   */
  @Test
  void aStreamsRestIsRelayedWhereItIsReadAndASlowClientPausesItsUpstream() throws Exception {
    Handled.Streaming streaming = (Handled.Streaming) handle("auto", true, "hi").get(5, SECONDS);
    int threads = handedOff.get();
    assertThat(streaming.relay().relaysWithoutBlocking()).isTrue();
    Client client = new Client();
    CompletableFuture<Void> relayed = streaming.relay().relayWithoutBlocking(client, blocking);
    PushedStream upstream = pushedStreams.remove();
    assertThat(client.received.toString()).contains("Hel");
    assertThat(relayed).isNotDone();

    client.behind = true;
    upstream.receiver.accept(text("lo"));
    assertThat(upstream.paused).isTrue();
    client.whenCaughtUp.forEach(Runnable::run);
    assertThat(upstream.paused).isFalse();
    upstream.receiver.accept(new Chunk.Done(new Usage(5, 0, 2, false), "stop"));

    assertThat(relayed).isCompleted();
    assertThat(client.received.toString()).contains("lo").endsWith("data: [DONE]\n\n");
    assertThat(handedOff).as("no thread for the rest of the stream").hasValue(threads);
    assertThat(traces)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.outcome()).isEqualTo("ok");
              assertThat(t.usage().completionTokens()).isEqualTo(2);
            });
    assertThat(gateway.inFlight()).isZero();
  }

  /**
   * Streams from {@code route} to {@code client}, breaks the stream after its first chunk and
   * checks that the relay has ended; the hand-offs to a thread before the break.
   */
  private int breakAfterFirstChunk(String route, Client client) throws Exception {
    Handled.Streaming streaming = (Handled.Streaming) handle(route, true, "hi").get(5, SECONDS);
    int threads = handedOff.get();
    CompletableFuture<Void> relayed = streaming.relay().relayWithoutBlocking(client, blocking);
    pushedStreams
        .remove()
        .receiver
        .accept(new Chunk.Broken(UpstreamFailure.of(UpstreamFailure.Kind.RESET, "stream cut")));
    assertThat(relayed).isCompleted();
    return threads;
  }

  /** A break where the route does not continue ends the stream where it was read. */
  @Test
  void aPushedStreamThatBreaksEndsWithAnErrorEventWhereItWasRead() throws Exception {
    Client client = new Client();
    int threads = breakAfterFirstChunk("auto", client);
    assertThat(client.received.toString()).contains("\"code\":\"stream_broken\"");
    assertThat(handedOff).hasValue(threads);
    assertThat(traces)
        .singleElement()
        .satisfies(t -> assertThat(t.outcome()).isEqualTo("stream_broken"));
    assertThat(gateway.inFlight()).isZero();
  }

  /**
   * A break where the route continues streams goes on on a thread of its own, which may block to
   * dispatch the continuation, and the client sees one stream.
   */
  @Test
  void aPushedStreamThatBreaksWhereItsRouteContinuesGoesOnOnAThread() throws Exception {
    Client client = new Client();
    int threads = breakAfterFirstChunk("cont", client);
    assertThat(handedOff).hasValue(threads + 1);
    assertThat(client.received.toString())
        .contains("Hel", "hi")
        .doesNotContain("stream_broken")
        .endsWith("data: [DONE]\n\n");
    assertThat(traces)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.outcome()).isEqualTo("ok");
              assertThat(t.flags()).contains(StreamRelay.CONTINUED);
            });
    assertThat(gateway.inFlight()).isZero();
  }

  /**
   * A stream whose upstream sends it without blocking is decided, sent, committed at its first
   * chunk and relayed with no thread of its own at any step.
   */
  @Test
  void aStreamSentWithoutBlockingIsServedWithoutAThreadFromStartToEnd() throws Exception {
    streamsWithoutBlocking = true;
    CompletableFuture<Handled> handled = handle("auto", true, "hi");
    assertThat(handled).isNotDone();
    PushedStream upstream = new PushedStream();
    pending.remove().reply().complete(new UpstreamReply.Streaming(upstream));
    Handled.Streaming streaming = (Handled.Streaming) handled.get(5, SECONDS);
    assertThat(streaming.relay().relaysWithoutBlocking()).isTrue();
    Client client = new Client();
    CompletableFuture<Void> relayed = streaming.relay().relayWithoutBlocking(client, blocking);
    upstream.receiver.accept(text("lo"));
    upstream.receiver.accept(new Chunk.Done(new Usage(5, 0, 2, false), "stop"));
    assertThat(relayed).isCompleted();
    assertThat(client.received.toString()).contains("Hel", "lo").endsWith("data: [DONE]\n\n");
    assertThat(handedOff).as("no thread at any step").hasValue(0);
    assertServedOnceBySmallA();
  }

  /** One request, decided for and answered by small-a on its first attempt, traced and ended. */
  private void assertServedOnceBySmallA() {
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
}
