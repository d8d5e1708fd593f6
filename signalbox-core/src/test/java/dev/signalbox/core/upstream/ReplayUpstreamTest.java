package dev.signalbox.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.dispatch.Backoff;
import dev.signalbox.core.gateway.Caller;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.Handled;
import dev.signalbox.core.pool.PoolState;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.testing.ManualClock;
import dev.signalbox.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay deployment answers with the recorded answer after the recorded latency, on a manual
 * clock.
 */
@Timeout(10)
class ReplayUpstreamTest {
  private static final String OUTCOMES =
      """
      {"id": "a", "prompt": "What is 2+2?", "outcomes": {"strong": {"quality": 1, "response": "It is 4.\\nSurely.", "output_tokens": 6, "latency_ms": 1200}, "weak": {"quality": 0, "output_tokens": 5, "latency_ms": 300}}}
      {"id": "b", "messages": [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}], "outcomes": {"strong": {"quality": 1, "response": "Hello!"}}}
      """;

  @TempDir Path dir;

  private GatewayConfig config() throws Exception {
    Path outcomes = dir.resolve("outcomes.jsonl");
    Files.writeString(outcomes, OUTCOMES);
    return TestConfigs.read(
        """
        deployments:
          - {name: strong-r, provider: replay, replay-from: %1$s, model: strong, sim: {time-to-first-token-ms: {median: 100, p99: 100}}}
          - {name: weak-r, provider: replay, replay-from: %1$s, model: weak}
        models:
          - {name: strong, deployments: [strong-r]}
          - {name: weak, deployments: [weak-r]}
        routes:
          - {name: both, models: [weak, strong], policy: priority}
        """
            .formatted(outcomes));
  }

  private static UpstreamCall call(String model, boolean stream, String messages) {
    ChatRequest request =
        ChatRequestParser.parse(
            ("{\"model\":\"x\",\"stream\":" + stream + ",\"messages\":" + messages + "}")
                .getBytes(StandardCharsets.UTF_8));
    return new UpstreamCall(
        request, model, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(30), 7);
  }

  private static final String QUESTION = "[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]";

  private SimUpstream upstream(String deployment, ManualClock clock) throws Exception {
    GatewayConfig config = config();
    return new SimUpstream(
        config.deployment(deployment),
        clock,
        TestConfigs.tokens(),
        Optional.of(ReplaySource.load(config.deployment(deployment).replayFrom().orElseThrow())));
  }

  @Test
  void answersWithTheRecordedTextAfterTheRecordedLatency() throws Exception {
    ManualClock clock = new ManualClock();
    var reply =
        (UpstreamReply.Completed) upstream("strong-r", clock).send(call("strong", false, QUESTION));
    assertThat(reply.body().path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("It is 4.\nSurely.");
    assertThat(reply.usage().completionTokens()).isEqualTo(6);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(1_200));
  }

  @Test
  void streamsTheRecordedTextPieceByPieceInTheRecordedTime() throws Exception {
    ManualClock clock = new ManualClock();
    var stream =
        ((UpstreamReply.Streaming) upstream("strong-r", clock).send(call("strong", true, QUESTION)))
            .chunks();
    StringBuilder text = new StringBuilder();
    List<Chunk> chunks = new ArrayList<>();
    Chunk c;
    while ((c = stream.next()) instanceof Chunk.Delta delta) {
      chunks.add(c);
      text.append(delta.json().path("choices").path(0).path("delta").path("content").asText(""));
    }
    assertThat(text.toString()).isEqualTo("It is 4.\nSurely.");
    assertThat(chunks).hasSize(5); // four pieces and the finish
    assertThat(c)
        .isInstanceOfSatisfying(
            Chunk.Done.class, d -> assertThat(d.usage().completionTokens()).isEqualTo(6));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(1_200));
  }

  @Test
  void anAnswerRecordedOnlyByLengthIsAPlaceholderOfThatLength() throws Exception {
    ManualClock clock = new ManualClock();
    var reply =
        (UpstreamReply.Completed) upstream("weak-r", clock).send(call("weak", false, QUESTION));
    assertThat(reply.body().path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("This is a simulated answer");
    assertThat(reply.usage().completionTokens()).isEqualTo(5);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void withoutARecordedLatencyTheSimulatedOneApplies() throws Exception {
    ManualClock clock = new ManualClock();
    var reply =
        (UpstreamReply.Completed)
            upstream("strong-r", clock)
                .send(
                    call(
                        "strong",
                        false,
                        "[{\"role\":\"system\",\"content\":\"Be"
                            + " brief\"},{\"role\":\"user\",\"content\":\"Hi\"}]"));
    assertThat(reply.body().path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("Hello!");
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aConversationOrModelNotRecordedIsA404NamingIt() throws Exception {
    var reply =
        upstream("weak-r", new ManualClock())
            .send(call("weak", false, "[{\"role\":\"user\",\"content\":\"Hi\"}]"));
    assertThat(reply)
        .isInstanceOfSatisfying(
            UpstreamReply.Failed.class,
            f -> {
              assertThat(f.failure().status()).isEqualTo(404);
              assertThat(f.failure().message())
                  .contains("no answer of 'weak' to this conversation");
            });
  }

  @Test
  void theWholeGatewayServesRecordedAnswersOnTheManualClock() throws Exception {
    ManualClock clock = new ManualClock();
    List<DecisionTrace> traces = new ArrayList<>();
    Gateway gateway =
        Gateway.create(
            config(),
            Gateway.Settings.builder()
                .time(clock)
                .seeds(new SplittableRandom(1)::nextLong)
                .upstreams(new UpstreamFactory(clock, name -> null, TestConfigs.tokens())::upstream)
                .listener(new RecordingListener())
                .sink(traces::add)
                .pool(new PoolState(clock))
                .backoff(Backoff.DEFAULT)
                .policies(TestConfigs.policies())
                .signals(TestConfigs.signals())
                .build());
    ChatRequest request =
        ChatRequestParser.parse(
            ("{\"model\":\"both\",\"messages\":" + QUESTION + "}")
                .getBytes(StandardCharsets.UTF_8));
    Handled handled = gateway.handle(request, new Caller("t", Set.of(), Map.of()));
    assertThat(handled)
        .isInstanceOfSatisfying(
            Handled.Completed.class,
            done ->
                assertThat(
                        done.body()
                            .path("choices")
                            .path(0)
                            .path("message")
                            .path("content")
                            .asText())
                    .isEqualTo("This is a simulated answer"));
    assertThat(traces)
        .singleElement()
        .satisfies(t -> assertThat(t.attempts().get(0).durationMillis()).isEqualTo(300.0));
  }

  @Test
  void aReplayDeploymentNeedsItsRecording() {
    assertThatThrownBy(
            () ->
                TestConfigs.read(
                    """
                    deployments:
                      - {name: r, provider: replay}
                      - {name: s, provider: sim, replay-from: x.jsonl}
                      - {name: t, provider: replay, replay-from: /nowhere/x.jsonl}
                    models:
                      - {name: m, deployments: [r, s, t]}
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("deployments[0].replay-from: missing")
        .hasMessageContaining("deployments[1].replay-from: only a replay deployment")
        .hasMessageContaining("deployments[2].replay-from: no such file: /nowhere/x.jsonl");
  }

  @Test
  void aBrokenRecordingStopsTheGatewayAtStart() throws Exception {
    Path broken = dir.resolve("broken.jsonl");
    Files.writeString(broken, "{\"id\": \"a\", \"outcomes\": {}}\n");
    GatewayConfig config =
        TestConfigs.read(
            """
            deployments:
              - {name: r, provider: replay, replay-from: %s}
            models:
              - {name: m, deployments: [r]}
            """
                .formatted(broken));
    assertThatThrownBy(
            () ->
                Gateway.create(
                    config,
                    Gateway.Settings.builder()
                        .time(new ManualClock())
                        .seeds(() -> 1)
                        .environment(name -> null)
                        .policies(TestConfigs.policies())
                        .signals(TestConfigs.signals())
                        .build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("deployments.r.replay-from")
        .hasMessageContaining("broken.jsonl:1: a line needs \"prompt\" or \"messages\"");
  }
}
