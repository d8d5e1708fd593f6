package dev.signalbox.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.RecordedSignals;
import dev.signalbox.core.routing.Router;
import dev.signalbox.core.routing.RoutingSignals;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.FakeUpstream;
import dev.signalbox.testing.ManualClock;
import dev.signalbox.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A tool loop stays on the model and deployment that started it, until a new user turn. */
@Timeout(10)
class ToolLoopTest {
  private final ManualClock clock = new ManualClock();
  private final RecordingListener events = new RecordingListener();
  private final Map<String, FakeUpstream> upstreams = new HashMap<>();
  private final GatewayConfig config =
      TestConfigs.read(
          """
          deployments:
            - {name: alpha-1, provider: sim}
            - {name: alpha-2, provider: sim}
            - {name: beta-1, provider: sim}
          models:
            - {name: alpha, deployments: [alpha-1, alpha-2], capabilities: [tools]}
            - {name: beta, deployments: [beta-1], capabilities: [tools]}
          routes:
            - {name: agents, models: [alpha, beta], policy: priority}
          """);
  private final Gateway gateway =
      Gateway.create(
          config, TestConfigs.gatewaySettings(clock, events, d -> upstream(d.name())).build());

  private FakeUpstream upstream(String deployment) {
    return upstreams.computeIfAbsent(
        deployment, d -> new FakeUpstream(call -> FakeUpstream.completed("from " + d)));
  }

  private static UpstreamReply toolCall(String id) {
    ObjectNode body = Json.object();
    ObjectNode message =
        body.putArray("choices")
            .addObject()
            .put("finish_reason", "tool_calls")
            .putObject("message");
    message.put("role", "assistant").putNull("content");
    ObjectNode call =
        message.putArray("tool_calls").addObject().put("id", id).put("type", "function");
    call.putObject("function").put("name", "read").put("arguments", "{}");
    return new UpstreamReply.Completed(body, new Usage(10, 0, 5, false), "tool_calls");
  }

  private static final UpstreamReply UNAVAILABLE =
      new UpstreamReply.Failed(UpstreamFailure.status(503, Optional.empty(), "HTTP 503"));

  private static final String TOOLS =
      ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"read\",\"parameters\":{}}}]";

  private Handled send(String route, String tools, String messages) throws InterruptedException {
    ChatRequest request =
        ChatRequestParser.parse(
            ("{\"model\":\"" + route + "\"" + tools + ",\"messages\":[" + messages + "]}")
                .getBytes(StandardCharsets.UTF_8));
    return gateway.handle(request, new Caller("t", Set.of(), Map.of()));
  }

  private static String withResultOf(String callId) {
    return "{\"role\":\"user\",\"content\":\"read a.txt\"},"
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\""
        + callId
        + "\",\"type\":\"function\",\"function\":{\"name\":\"read\",\"arguments\":\"{}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\""
        + callId
        + "\",\"content\":\"hello\"}";
  }

  @Test
  void toolResultsGoBackToTheModelThatStartedTheLoopUntilANewUserTurn() throws Exception {
    upstream("alpha-1").then(UNAVAILABLE);
    upstream("alpha-2").then(UNAVAILABLE);
    upstream("beta-1").then(toolCall("call_1"));
    Handled started = send("agents", TOOLS, "{\"role\":\"user\",\"content\":\"read a.txt\"}");
    assertThat(started.info().model())
        .as("alpha failed: the loop starts on beta")
        .isEqualTo("beta");

    // alpha answers again, and the policy ranks it first; the loop stays on beta.
    Handled continued = send("agents", TOOLS, withResultOf("call_1"));
    assertThat(continued.info().model()).isEqualTo("beta");
    DecisionTrace trace = events.lastTrace();
    assertThat(trace.signals().get(RoutingSignals.TOOL_LOOP)).isEqualTo("beta|beta-1");
    assertThat((String) trace.signals().get(RoutingSignals.TOOL_LOOP_HELD + "agents"))
        .startsWith("held beta (rule tool-loop");
    // The hold replays from the trace alone.
    RecordedSignals recorded =
        new RecordedSignals(
            "agents",
            "t",
            trace.signals(),
            List.of(),
            OptionalLong.empty(),
            1000,
            TestConfigs.signals());
    Decision.Routed replayed =
        (Decision.Routed)
            new Router(config, TestConfigs.policies(), TestConfigs.services())
                .decide(recorded, trace.seed(), trace.pool());
    assertThat(replayed.record().plan()).isEqualTo(trace.plan());

    Handled newTurn =
        send(
            "agents",
            TOOLS,
            withResultOf("call_1")
                + ",{\"role\":\"assistant\",\"content\":\"it says hello\"},"
                + "{\"role\":\"user\",\"content\":\"thanks; now b.txt\"}");
    assertThat(newTurn.info().model()).as("a new user turn re-decides").isEqualTo("alpha");
    assertThat(events.lastTrace().signals()).doesNotContainKey(RoutingSignals.TOOL_LOOP);
  }

  @Test
  void theLoopKeepsItsDeploymentWhileItIsHealthy() throws Exception {
    upstream("alpha-1").then(UNAVAILABLE);
    upstream("alpha-2").then(toolCall("call_7"));
    Handled started = send("agents", TOOLS, "{\"role\":\"user\",\"content\":\"read a.txt\"}");
    assertThat(started.info().deployment()).isEqualTo("alpha-2");

    send("agents", TOOLS, withResultOf("call_7"));
    assertThat(events.lastTrace().attempts())
        .extracting(AttemptTrace::deployment)
        .containsExactly("alpha-2");
  }

  @Test
  void resultsOfCallsTheGatewayNeverSawRouteAfresh() throws Exception {
    Handled handled = send("agents", TOOLS, withResultOf("call_from_elsewhere"));
    assertThat(handled.info().model()).isEqualTo("alpha");
    assertThat(events.lastTrace().signals().get(RoutingSignals.TOOL_LOOP)).isEqualTo("");
  }
}
