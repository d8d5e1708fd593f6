package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.Role;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A text stream that breaks after the commit boundary, continued where the route opts in. */
@Timeout(10)
class ContinuationTest {
  private final ManualClock clock = new ManualClock();
  private final List<DecisionTrace> traces = new ArrayList<>();
  private final Map<String, FakeUpstream> upstreams = new HashMap<>();
  private final Gateway gateway =
      Gateway.create(
          TestConfigs.read(
              """
              deployments:
                - {name: small-a, provider: sim}
                - {name: small-b, provider: sim}
                - {name: prefill-a, provider: sim}
              models:
                - {name: small, deployments: [small-a, small-b]}
                - {name: big, deployments: [prefill-a], capabilities: [assistant-prefill]}
              routes:
                - {name: cont, models: [small, big], policy: priority, continue-streams: true}
                - {name: plain, models: [small, big], policy: priority}
              """),
          Gateway.Settings.builder()
              .time(clock)
              .seeds(new SplittableRandom(2)::nextLong)
              .upstreams(d -> upstream(d.name()))
              .listener(new RecordingListener())
              .sink(traces::add)
              .pool(new PoolState(clock))
              .backoff(Backoff.DEFAULT)
              .policies(TestConfigs.policies())
              .signals(TestConfigs.signals())
              .build());

  private FakeUpstream upstream(String deployment) {
    return upstreams.computeIfAbsent(
        deployment,
        d ->
            new FakeUpstream(
                call ->
                    new UpstreamReply.Failed(
                        UpstreamFailure.of(UpstreamFailure.Kind.CONNECT, "not scripted"))));
  }

  private static Chunk delta(String id, String text, boolean role) {
    ObjectNode chunk = Json.chunk(id, 100, "model-" + id);
    ObjectNode delta = Json.choiceDelta(chunk, null);
    if (role) {
      delta.put("role", "assistant");
    }
    delta.put("content", text);
    return new Chunk.Delta(chunk);
  }

  /** A text-only chunk as an upstream relays it verbatim. */
  private static Chunk plain(String id, String text) {
    return new Chunk.Plain(Json.text(((Chunk.Delta) delta(id, text, false)).json()), text);
  }

  private static final Chunk RESET =
      new Chunk.Broken(UpstreamFailure.of(UpstreamFailure.Kind.RESET, "connection reset"));

  private String stream(String route) throws Exception {
    var request =
        ChatRequestParser.parse(
            ("{\"model\":\""
                    + route
                    + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"greet\"}]}")
                .getBytes(StandardCharsets.UTF_8));
    Handled handled = gateway.handle(request, new Caller("t", Set.of(), Map.of()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ((Handled.Streaming) handled).relay().relay(out::write);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aBrokenTextStreamIsContinuedWithTheTextSoFarAsAPrefill() throws Exception {
    upstream("small-a")
        .then(
            new UpstreamReply.Streaming(
                FakeUpstream.chunks(delta("c1", "Hel", true), plain("c1", "lo"), RESET)));
    upstream("prefill-a")
        .then(
            new UpstreamReply.Streaming(
                FakeUpstream.chunks(
                    delta("c2", ", world", true),
                    plain("c2", "!"),
                    new Chunk.Done(new Usage(20, 0, 3, false), "stop"))));
    String body = stream("cont");
    assertThat(body)
        .contains(
            "\"content\":\"Hel\"",
            "\"content\":\"lo\"",
            "\"content\":\", world\"",
            "\"content\":\"!\"",
            "data: [DONE]")
        .doesNotContain("error");
    List<JsonNode> events = new ArrayList<>();
    for (String line : body.split("\n\n")) {
      if (line.startsWith("data: {")) {
        events.add(Json.MAPPER.readTree(line.substring(6)));
      }
    }
    assertThat(events).allSatisfy(e -> assertThat(e.path("id").asText()).isEqualTo("c1"));
    assertThat(events)
        .filteredOn(e -> e.path("choices").path(0).path("delta").has("role"))
        .hasSize(1);

    List<ChatMessage> sent = upstream("prefill-a").calls().get(0).request().messages();
    assertThat(sent.get(sent.size() - 1))
        .satisfies(
            m -> {
              assertThat(m.role()).isEqualTo(Role.ASSISTANT);
              assertThat(m.text()).isEqualTo("Hello");
            });
    assertThat(upstream("small-b").calls()).as("small has no assistant-prefill").isEmpty();
    DecisionTrace trace = traces.get(0);
    assertThat(trace.outcome()).isEqualTo("ok");
    assertThat(trace.flags()).contains("continued");
    assertThat(trace.attempts())
        .extracting(AttemptTrace::deployment, AttemptTrace::result, AttemptTrace::committed)
        .containsExactly(tuple("small-a", "reset", true), tuple("prefill-a", "ok", true));
    // The text before the break is the continuation's prompt, counted back as output.
    assertThat(trace.usage().completionTokens()).isGreaterThan(3);
  }

  @Test
  void withoutTheRouteOptingInTheStreamEndsWithAnErrorEvent() throws Exception {
    upstream("small-a")
        .then(new UpstreamReply.Streaming(FakeUpstream.chunks(delta("c1", "Hel", true), RESET)));
    String body = stream("plain");
    assertThat(body).contains("\"code\":\"stream_broken\"");
    assertThat(upstream("prefill-a").calls()).isEmpty();
    assertThat(traces.get(0).outcome()).isEqualTo("stream_broken");
  }

  @Test
  void aToolCallIsNeverContinued() throws Exception {
    ObjectNode chunk = Json.chunk("c1", 100, "m");
    Json.choiceDelta(chunk, null)
        .putArray("tool_calls")
        .addObject()
        .put("index", 0)
        .put("id", "call_1");
    upstream("small-a")
        .then(new UpstreamReply.Streaming(FakeUpstream.chunks(new Chunk.Delta(chunk), RESET)));
    String body = stream("cont");
    assertThat(body).contains("\"code\":\"stream_broken\"");
    assertThat(upstream("prefill-a").calls()).isEmpty();
  }
}
