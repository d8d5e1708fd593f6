package dev.signalbox.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.GatewayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RouterTest {
  private final GatewayConfig config =
      TestConfigs.read(
          TestConfigs.pool(
              """
              - name: auto
                policy: rules
                rules:
                  - {name: hard, keywords: [prove], route: strong}
                  - {name: agents, tools: true, route: strong}
                default: cheap
              - name: cheap
                models: [small, medium, large]
                policy: cheapest
                default-max-tokens: 256
              - name: strong
                models: [large]
                policy: priority
                fallbacks: [medium, small]
              """));
  private final Router router = new Router(config, TestConfigs.policies(), TestConfigs.services());

  private Decision decide(String json) {
    return router.decide(Requests.signals(Requests.of(json)), 11, PoolSnapshot.EMPTY);
  }

  @Test
  void followsRuleDelegationAndRecordsTheTrail() {
    Decision.Routed routed =
        (Decision.Routed)
            decide(
                "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"prove it\"}]}");
    assertThat(routed.record().routes()).containsExactly("auto", "strong");
    assertThat(routed.record().signals())
        .containsEntry("rule:auto", "rule 'hard' matched: keyword 'prove'");
    assertThat(routed.record().plan())
        .containsExactly(
            new PlanStep("large", "large-a"),
            new PlanStep("medium", "medium-a"),
            new PlanStep("small", "small-a"),
            new PlanStep("small", "small-b"));
    assertThat(routed.route().name()).isEqualTo("strong");
  }

  @Test
  void cheapestUsesTheRoutesDefaultOutputLengthAndPlansEveryDeployment() {
    Decision.Routed routed =
        (Decision.Routed)
            decide("{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(routed.record().plan())
        .extracting(PlanStep::deployment)
        .containsExactly("small-a", "small-b", "medium-a", "large-a");
    assertThat(routed.record().signals()).containsEntry("max_output_tokens", 256L);
    assertThat(routed.record().candidates())
        .extracting(CandidateTrace::reason)
        .allMatch(r -> r.contains("+256 tokens"));
  }

  @Test
  void excludesCandidatesWithTheirReasons() {
    String longPrompt = "word ".repeat(5_000);
    Decision.Routed routed =
        (Decision.Routed)
            decide(
                "{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + longPrompt
                    + "\"}],"
                    + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{}}}");
    assertThat(routed.record().candidates())
        .extracting(CandidateTrace::model, CandidateTrace::excluded)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "small", "context 4096 < " + (promptTokens(longPrompt) + 256) + " tokens"),
            org.assertj.core.groups.Tuple.tuple("medium", ""),
            org.assertj.core.groups.Tuple.tuple("large", ""));
    assertThat(routed.record().plan())
        .extracting(PlanStep::model)
        .containsExactly("medium", "large");
  }

  @Test
  void aRequestNoModelCanTakeIsA400NamingEveryExcludedCandidate() {
    String json =
        "{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what"
            + " is this\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}],"
            + "\"max_tokens\":250000}";
    long needed =
        TestConfigs.tokens().countPrompt(Requests.of(json).messages(), java.util.List.of())
            + 250_000;
    Decision.Rejected rejected = (Decision.Rejected) decide(json);
    assertThat(rejected.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(rejected.error().code()).contains("context_length_exceeded");
    assertThat(rejected.error().getMessage())
        .isEqualTo(
            "No model of route 'cheap' can take this request (excluded: small [context 4096 < "
                + needed
                + " tokens], medium [context 32000 < "
                + needed
                + " tokens], large [context 200000 < "
                + needed
                + " tokens])");
  }

  @Test
  void capabilitiesAreCheckedAfterTheContextWindow() {
    Decision.Routed routed =
        (Decision.Routed)
            decide(
                "{\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"content\":["
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}],\"max_tokens\":10000}");
    assertThat(routed.record().candidates())
        .extracting(CandidateTrace::excluded)
        .containsExactly("context 4096 < 10091 tokens", "no vision support", "");
  }

  private static long promptTokens(String text) {
    return TestConfigs.tokens()
        .countPrompt(Requests.user("m", text).messages(), java.util.List.of());
  }

  @Test
  void aModelNameSkipsThePolicyButKeepsDeploymentFallback() {
    Decision.Routed routed =
        (Decision.Routed)
            decide("{\"model\":\"small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(routed.record().policy()).isEqualTo("direct");
    assertThat(routed.record().plan())
        .extracting(PlanStep::deployment)
        .containsExactly("small-a", "small-b");
  }

  @Test
  void anUnknownNameIs404ModelNotFound() {
    Decision.Rejected rejected =
        (Decision.Rejected)
            decide("{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(rejected.error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(rejected.error().code()).contains("model_not_found");
    assertThat(rejected.error().getMessage())
        .contains("routes: auto, cheap, strong; models: small, medium, large");
  }

  @Test
  void toolsExcludeModelsWithoutThemAndFallbacksAreFilteredToo() {
    Decision.Routed routed =
        (Decision.Routed)
            router.decide(
                Requests.signals(
                    Requests.of(
                        "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}"),
                    Map.of()),
                1,
                PoolSnapshot.EMPTY);
    assertThat(routed.record().routes()).containsExactly("auto", "strong");
    assertThat(routed.record().candidates())
        .extracting(CandidateTrace::model, CandidateTrace::excluded)
        .contains(org.assertj.core.groups.Tuple.tuple("small", "no tools support"));
    assertThat(routed.record().plan())
        .extracting(PlanStep::model)
        .containsExactly("large", "medium");
  }
}
