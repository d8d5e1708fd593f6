package dev.signalbox.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.session.InMemorySessions;
import dev.signalbox.core.session.SessionStore;
import dev.signalbox.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * An agent's session keeps its model from step to step, and its budget downgrades or refuses a
 * step.
 */
class SessionRoutingTest {
  private final GatewayConfig config =
      TestConfigs.read(
          TestConfigs.pool(
              """
              - name: agent
                models: [large, medium, small]
                policy: priority
                default-max-tokens: 1000
                session: {sticky: true, sticky-margin: 1, idle-timeout: 10m}   # priority scores differ by 1 a rank
                session-budget-usd: 0.05
              """));
  private final Router router = new Router(config, TestConfigs.policies(), TestConfigs.services());
  private final ManualClock clock = new ManualClock();
  private final SessionStore sessions = new InMemorySessions(clock::nanoTime);

  private Decision decide(Map<String, String> headers) {
    RequestSignals signals =
        Requests.signals(
                Requests.of(
                    "{\"model\":\"agent\",\"messages\":[{\"role\":\"user\",\"content\":\"next"
                        + " step\"}]}"),
                headers)
            .withSessions(sessions);
    return router.decide(signals, 7, PoolSnapshot.EMPTY);
  }

  private static String first(Decision decision) {
    return ((Decision.Routed) decision).plan().get(0).model().name();
  }

  @Test
  void aSessionKeepsItsModelAndIsForgottenWhenIdle() {
    Map<String, String> session = Map.of("x-signalbox-session-id", "agent-run-1");
    assertThat(first(decide(session))).isEqualTo("large");
    String digest =
        (String) ((Decision.Routed) decide(session)).record().signals().get(RoutingSignals.SESSION);
    sessions.recordStep("agent", digest, "medium", 0.001, Duration.ofMinutes(10));
    Decision.Routed kept = (Decision.Routed) decide(session);
    assertThat(first(kept)).isEqualTo("medium");
    assertThat(kept.record().signals())
        .containsEntry(
            "session_steering:agent",
            "kept medium (the policy's large is better by 1.0000 <= margin 1.0000); budget:"
                + " $0.049000 left of $0.050000")
        .containsEntry("session_state:agent", "medium|0.001|1");
    assertThat(first(decide(Map.of("x-signalbox-session-id", "another-run")))).isEqualTo("large");
    clock.advance(Duration.ofMinutes(11));
    assertThat(first(decide(session))).isEqualTo("large");
  }

  @Test
  void aBudgetDowngradesAStepThatDoesNotFitAndRefusesWhenNothingFits() {
    Map<String, String> session = Map.of("x-signalbox-session-id", "agent-run-2");
    String digest =
        (String) ((Decision.Routed) decide(session)).record().signals().get(RoutingSignals.SESSION);
    // large costs about $0.03 for 1,000 output tokens, medium $0.003, small $0.0004.
    sessions.recordStep("agent", digest, "large", 0.04, Duration.ofMinutes(10));
    Decision.Routed downgraded = (Decision.Routed) decide(session);
    assertThat(first(downgraded)).isEqualTo("medium");
    assertThat((String) downgraded.record().signals().get("session_steering:agent"))
        .contains("downgraded large -> medium");
    sessions.recordStep("agent", digest, "medium", 0.0099, Duration.ofMinutes(10));
    Decision refused = decide(session);
    assertThat(refused).isInstanceOf(Decision.Rejected.class);
    var error = ((Decision.Rejected) refused).error();
    assertThat(error.kind()).isEqualTo(ErrorKind.BUDGET_EXHAUSTED);
    assertThat(error.getMessage())
        .contains("budget of $0.050000 has $0.000100 left")
        .contains("cheapest: small");
    // A caller's header may lower its session's budget, never raise it; a malformed one is a 400.
    Map<String, String> raised =
        Map.of("x-signalbox-session-id", "agent-run-2", "x-signalbox-session-budget-usd", "1e300");
    assertThat(((Decision.Rejected) decide(raised)).error().kind())
        .isEqualTo(ErrorKind.BUDGET_EXHAUSTED);
    Map<String, String> lowered =
        Map.of(
            "x-signalbox-session-id",
            "agent-run-fresh",
            "x-signalbox-session-budget-usd",
            "0.00001");
    assertThat(first(decide(Map.of("x-signalbox-session-id", "agent-run-fresh"))))
        .isEqualTo("large");
    assertThat(((Decision.Rejected) decide(lowered)).error().kind())
        .isEqualTo(ErrorKind.BUDGET_EXHAUSTED);
    Decision bad =
        decide(
            Map.of(
                "x-signalbox-session-id", "agent-run-2", "x-signalbox-session-budget-usd", "lots"));
    assertThat(((Decision.Rejected) bad).error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(((Decision.Rejected) bad).error().getMessage())
        .contains("x-signalbox-session-budget-usd")
        .contains("'lots'");
  }

  @Test
  void aSessionDecisionReplaysFromItsTraceAlone() {
    Map<String, String> session = Map.of("x-signalbox-session-id", "agent-run-3");
    String digest =
        (String) ((Decision.Routed) decide(session)).record().signals().get(RoutingSignals.SESSION);
    sessions.recordStep("agent", digest, "small", 0.049, Duration.ofMinutes(10));
    Decision.Routed live = (Decision.Routed) decide(session);
    RecordedSignals recorded =
        new RecordedSignals(
            "agent",
            "t",
            live.record().signals(),
            List.of(),
            OptionalLong.empty(),
            1000,
            TestConfigs.signals());
    Decision.Routed replayed = (Decision.Routed) router.decide(recorded, 7, PoolSnapshot.EMPTY);
    assertThat(replayed.record().plan()).isEqualTo(live.record().plan());
    assertThat(replayed.record().signals()).isEqualTo(live.record().signals());
  }
}
