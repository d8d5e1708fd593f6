package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.CascadeStepTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.dispatch.Backoff;
import dev.signalbox.core.dispatch.CascadeRunner;
import dev.signalbox.core.pool.PoolState;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.FakeUpstream;
import dev.signalbox.testing.ManualClock;
import dev.signalbox.testing.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cascade routes through the whole gateway: checks, escalation, samples, streaming, costs and
 * traces.
 */
@Timeout(10)
class CascadeTest {
  private static final double CHEAP_IN = 1.0;
  private static final double CHEAP_OUT = 2.0;
  private static final double STRONG_IN = 10.0;
  private static final double STRONG_OUT = 30.0;

  private final ManualClock clock = new ManualClock();
  private final List<DecisionTrace> traces = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, FakeUpstream> upstreams = new HashMap<>();
  private final Gateway gateway =
      Gateway.create(
          TestConfigs.read(
              """
              deployments:
                - {name: cheap-a, provider: sim}
                - {name: strong-a, provider: sim}
              models:
                - {name: cheap, deployments: [cheap-a], pricing: {input: %s, output: %s}}
                - {name: strong, deployments: [strong-a], pricing: {input: %s, output: %s}}
              routes:
                - name: math
                  policy: cascade
                  models: [strong, cheap]
                  cascade:
                    checks:
                      - regex: '####\\s*-?[\\d,]*\\.?\\d+\\s*$'
                      - arithmetic: {}
                - name: vote
                  policy: cascade
                  models: [cheap, strong]
                  cascade:
                    samples: 3
                    sample-temperature: 0.8
                    checks:
                      - agreement: {min-share: 0.66, answer: '####\\s*(\\S+)'}
                - name: sure
                  policy: cascade
                  models: [cheap, strong]
                  cascade:
                    checks:
                      - logprobs: {min-mean: -0.5}
                - name: extract
                  policy: cascade
                  models: [cheap, strong]
                  cascade:
                    checks:
                      - json-schema: {type: object, required: [name, age], properties: {age: {type: integer}}}
              """
                  .formatted(CHEAP_IN, CHEAP_OUT, STRONG_IN, STRONG_OUT)),
          Gateway.Settings.builder()
              .time(clock)
              .seeds(new SplittableRandom(5)::nextLong)
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

  private static UpstreamReply answer(String text, Usage usage, double... logprobs) {
    ObjectNode body = Json.object();
    body.put("id", "cmpl-1").put("object", "chat.completion").put("created", 100).put("model", "m");
    ObjectNode choice = body.putArray("choices").addObject();
    choice.put("index", 0).put("finish_reason", "stop");
    choice.putObject("message").put("role", "assistant").put("content", text);
    if (logprobs.length > 0) {
      ArrayNode tokens = choice.putObject("logprobs").putArray("content");
      for (double lp : logprobs) {
        tokens.addObject().put("token", "t").put("logprob", lp);
      }
    }
    body.set("usage", Json.usage(usage));
    return new UpstreamReply.Completed(body, usage, "stop");
  }

  private static final Usage CHEAP_USAGE = new Usage(100, 0, 50, false);
  private static final Usage STRONG_USAGE = new Usage(100, 0, 80, false);

  private static double cost(double in, double out, Usage u) {
    return (u.promptTokens() * in + u.completionTokens() * out) / 1e6;
  }

  private Handled ask(String route, boolean stream) throws Exception {
    String body =
        "{\"model\":\""
            + route
            + "\",\"stream\":"
            + stream
            + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"James runs 3 sprints of 60 m, 3"
            + " times a week. Meters a week?\"}]}";
    return gateway.handle(
        ChatRequestParser.parse(body.getBytes(StandardCharsets.UTF_8)),
        new Caller("t", Set.of(), Map.of()));
  }

  private static String content(Handled handled) {
    return ((Handled.Completed) handled)
        .body()
        .path("choices")
        .path(0)
        .path("message")
        .path("content")
        .asText();
  }

  @Test
  void aCheapAnswerThatPassesItsChecksIsServedAndTheStrongModelIsNeverAsked() throws Exception {
    upstream("cheap-a")
        .then(answer("3 x 60 = 180 m a session; 180 x 3 = 540.\n#### 540", CHEAP_USAGE));
    Handled handled = ask("math", false);

    assertThat(content(handled)).endsWith("#### 540");
    assertThat(upstream("strong-a").calls()).isEmpty();
    assertThat(upstream("cheap-a").calls().get(0).request().stream()).isFalse();
    DecisionTrace trace = traces.get(0);
    assertThat(trace.plan())
        .extracting(p -> p.model())
        .as("cheapest first, whatever the listed order")
        .containsExactly("cheap", "strong");
    assertThat(trace.candidates().get(1).reason())
        .startsWith("stage 1 of 2 (checked by regex, arithmetic)");
    assertThat(trace.cascade())
        .extracting(CascadeStepTrace::stage, CascadeStepTrace::model, CascadeStepTrace::verdict)
        .containsExactly(tuple(1, "cheap", "accepted"));
    assertThat(trace.cascade().get(0).checks())
        .hasSize(2)
        .allSatisfy(c -> assertThat(c).endsWith(": pass"))
        .anySatisfy(c -> assertThat(c).isEqualTo("arithmetic: 2 equations hold: pass"));
    assertThat(trace.costUsd())
        .isCloseTo(
            cost(CHEAP_IN, CHEAP_OUT, CHEAP_USAGE), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void aFailedCheckEscalatesAndEveryCallIsCharged() throws Exception {
    upstream("cheap-a")
        .then(answer("3 x 60 = 170 m a session, so 510 in all.\n#### 510", CHEAP_USAGE));
    upstream("strong-a").then(answer("180 m a session, 540 m a week.\n#### 540", STRONG_USAGE));
    Handled handled = ask("math", false);

    assertThat(content(handled)).endsWith("#### 540");
    assertThat(((Handled.Completed) handled).info().model()).isEqualTo("strong");
    DecisionTrace trace = traces.get(0);
    assertThat(trace.cascade())
        .extracting(CascadeStepTrace::model, CascadeStepTrace::verdict)
        .containsExactly(tuple("cheap", "escalated"), tuple("strong", "final"));
    assertThat(trace.cascade().get(0).checks())
        .containsExactly(
            "regex '####\\s*-?[\\d,]*\\.?\\d+\\s*$': pass",
            "arithmetic: '3 x 60 = 170' is 180: fail");
    assertThat(trace.attempts())
        .extracting(a -> a.model() + ":" + a.result())
        .containsExactly("cheap:ok", "strong:ok");
    assertThat(trace.usage()).as("the served answer's tokens").isEqualTo(STRONG_USAGE);
    assertThat(trace.costUsd())
        .isCloseTo(
            cost(CHEAP_IN, CHEAP_OUT, CHEAP_USAGE) + cost(STRONG_IN, STRONG_OUT, STRONG_USAGE),
            org.assertj.core.data.Offset.offset(1e-12));
    // The stages survive the trace store's JSON.
    assertThat(TraceJson.parse(TraceJson.write(trace)).cascade()).isEqualTo(trace.cascade());
  }

  @Test
  void samplesAreDrawnAtOnceAtTheSampleTemperatureAndAMajorityIsServed() throws Exception {
    List<String> texts = new ArrayList<>(List.of("so #### 540", "hence #### 540", "#### 510"));
    upstream("cheap-a").always(call -> answer(takeFirst(texts), CHEAP_USAGE));
    Handled handled = ask("vote", false);

    assertThat(content(handled)).isIn("so #### 540", "hence #### 540");
    assertThat(upstream("cheap-a").calls())
        .hasSize(3)
        .allSatisfy(c -> assertThat(c.request().temperature()).hasValue(0.8));
    assertThat(upstream("cheap-a").calls()).extracting(UpstreamCall::seed).doesNotHaveDuplicates();
    assertThat(upstream("strong-a").calls()).isEmpty();
    DecisionTrace trace = traces.get(0);
    assertThat(trace.cascade().get(0).checks())
        .containsExactly("agreement: 2 of 3 on '540' (min share 0.66): pass");
    assertThat(trace.cascade().get(0).usage().completionTokens()).isEqualTo(150);
    assertThat(trace.costUsd())
        .as("three samples paid for")
        .isCloseTo(
            3 * cost(CHEAP_IN, CHEAP_OUT, CHEAP_USAGE), org.assertj.core.data.Offset.offset(1e-12));
  }

  private static synchronized String takeFirst(List<String> texts) {
    return texts.remove(0);
  }

  @Test
  void samplesThatDisagreeEscalate() throws Exception {
    List<String> texts = new ArrayList<>(List.of("#### 540", "#### 510", "#### 5"));
    upstream("cheap-a").always(call -> answer(takeFirst(texts), CHEAP_USAGE));
    upstream("strong-a").then(answer("#### 540", STRONG_USAGE));
    ask("vote", false);

    DecisionTrace trace = traces.get(0);
    assertThat(trace.cascade())
        .extracting(CascadeStepTrace::verdict)
        .containsExactly("escalated", "final");
    assertThat(trace.cascade().get(0).checks().get(0))
        .startsWith("agreement: 1 of 3")
        .endsWith(": fail");
    assertThat(trace.costUsd())
        .isCloseTo(
            3 * cost(CHEAP_IN, CHEAP_OUT, CHEAP_USAGE) + cost(STRONG_IN, STRONG_OUT, STRONG_USAGE),
            org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void logProbabilitiesAreAskedForAndALowMeanOrNoneEscalates() throws Exception {
    upstream("cheap-a")
        .then(answer("Paris", CHEAP_USAGE, -0.1, -0.2))
        .then(answer("Lyon?", CHEAP_USAGE, -2.0, -1.5))
        .then(answer("Paris", CHEAP_USAGE));
    upstream("strong-a").always(call -> answer("Paris", STRONG_USAGE));
    ask("sure", false);
    ask("sure", false);
    ask("sure", false);

    assertThat(upstream("cheap-a").calls())
        .allSatisfy(c -> assertThat(c.request().raw().path("logprobs").asBoolean()).isTrue());
    assertThat(traces)
        .extracting(t -> t.cascade().get(0).verdict())
        .containsExactly("accepted", "escalated", "escalated");
    assertThat(traces.get(0).cascade().get(0).checks())
        .containsExactly("logprobs: mean -0.15 (min -0.5): pass");
    assertThat(traces.get(1).cascade().get(0).checks())
        .containsExactly("logprobs: mean -1.75 (min -0.5): fail");
    assertThat(traces.get(2).cascade().get(0).checks())
        .containsExactly("logprobs: fail (the upstream returned none)");
  }

  @Test
  void aJsonSchemaCheckReadsFencedJsonAndNamesWhatIsWrong() throws Exception {
    upstream("cheap-a")
        .then(answer("```json\n{\"name\": \"Ada\", \"age\": 36}\n```", CHEAP_USAGE))
        .then(answer("{\"name\": \"Ada\", \"age\": \"thirty-six\"}", CHEAP_USAGE))
        .then(answer("Ada is 36.", CHEAP_USAGE));
    upstream("strong-a").always(call -> answer("{\"name\": \"Ada\", \"age\": 36}", STRONG_USAGE));
    ask("extract", false);
    ask("extract", false);
    ask("extract", false);

    assertThat(traces)
        .extracting(t -> t.cascade().get(0).verdict())
        .containsExactly("accepted", "escalated", "escalated");
    assertThat(traces.get(1).cascade().get(0).checks().get(0))
        .startsWith("json-schema: fail (")
        .contains("age");
    assertThat(traces.get(2).cascade().get(0).checks().get(0))
        .startsWith("json-schema: fail (not JSON");
  }

  @Test
  void aStreamingClientGetsTheAcceptedAnswerAsAStreamAndOnlyTheFinalStageStreamsUpstream()
      throws Exception {
    upstream("cheap-a").then(answer("3 x 60 = 180.\n#### 180", CHEAP_USAGE));
    Handled handled = ask("math", true);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ((Handled.Streaming) handled).relay().relay(out::write);
    String sse = out.toString(StandardCharsets.UTF_8);

    assertThat(sse)
        .contains(
            "\"content\":\"3 x 60 = 180.\\n#### 180\"", "\"completion_tokens\":50", "data: [DONE]");
    assertThat(upstream("cheap-a").calls().get(0).request().stream())
        .as("checked stages do not stream")
        .isFalse();
    assertThat(handled.info().attempts()).as("one call, already traced").isEqualTo(1);
    DecisionTrace trace = traces.get(0);
    assertThat(trace.outcome()).isEqualTo("ok");
    assertThat(trace.stream()).isTrue();
    assertThat(trace.cascade()).extracting(CascadeStepTrace::verdict).containsExactly("accepted");

    upstream("cheap-a").then(answer("no final answer here", CHEAP_USAGE));
    upstream("strong-a")
        .then(
            call -> {
              assertThat(call.request().stream())
                  .as("the final stage streams as the client asked")
                  .isTrue();
              return new UpstreamReply.Streaming(
                  FakeUpstream.chunks(
                      new dev.signalbox.api.Chunk.Delta(delta("#### 540")),
                      new dev.signalbox.api.Chunk.Done(STRONG_USAGE, "stop")));
            });
    out.reset();
    ((Handled.Streaming) ask("math", true)).relay().relay(out::write);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("#### 540", "data: [DONE]");
    assertThat(traces.get(1).cascade())
        .extracting(CascadeStepTrace::verdict)
        .containsExactly("escalated", "final");
    assertThat(traces.get(1).costUsd())
        .isCloseTo(
            cost(CHEAP_IN, CHEAP_OUT, CHEAP_USAGE) + cost(STRONG_IN, STRONG_OUT, STRONG_USAGE),
            org.assertj.core.data.Offset.offset(1e-12));
  }

  private static ObjectNode delta(String text) {
    ObjectNode chunk = Json.chunk("c", 100, "strong");
    Json.choiceDelta(chunk, null).put("role", "assistant").put("content", text);
    return chunk;
  }

  @Test
  void whenEveryLaterStageFailsTheTurnedDownAnswerIsServedAndFlagged() throws Exception {
    upstream("cheap-a").then(answer("about 500 meters", CHEAP_USAGE));
    upstream("strong-a")
        .always(
            call ->
                new UpstreamReply.Failed(
                    UpstreamFailure.status(503, java.util.Optional.empty(), "overloaded")));
    Handled handled = ask("math", false);

    assertThat(content(handled)).isEqualTo("about 500 meters");
    DecisionTrace trace = traces.get(0);
    assertThat(trace.outcome()).isEqualTo("ok");
    assertThat(trace.flags()).contains(CascadeRunner.UNVERIFIED);
    assertThat(trace.cascade())
        .extracting(CascadeStepTrace::model, CascadeStepTrace::verdict)
        .containsExactly(
            tuple("cheap", "escalated"), tuple("strong", "failed"), tuple("cheap", "unverified"));
    assertThat(trace.costUsd())
        .as("the served answer once")
        .isCloseTo(
            cost(CHEAP_IN, CHEAP_OUT, CHEAP_USAGE), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void aCheapStageThatCannotAnswerIsPassedOver() throws Exception {
    upstream("strong-a").then(answer("#### 540", STRONG_USAGE));
    Handled handled = ask("math", false);

    assertThat(content(handled)).isEqualTo("#### 540");
    DecisionTrace trace = traces.get(0);
    assertThat(trace.cascade())
        .extracting(CascadeStepTrace::verdict)
        .containsExactly("failed", "final");
    assertThat(trace.cascade().get(0).checks().get(0))
        .startsWith("no answer: ")
        .contains("not scripted");
    assertThat(trace.costUsd())
        .isCloseTo(
            cost(STRONG_IN, STRONG_OUT, STRONG_USAGE), org.assertj.core.data.Offset.offset(1e-12));
  }
}
