package dev.signalbox.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.text.LanguageGuess;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Rules on the prompt's language and on its domain, classified by the real embeddings against
 * labelled examples.
 */
class LanguageAndDomainTest {
  @Test
  void guessesTheLanguageOfCommonScriptsAndLatinLanguages() {
    assertThat(LanguageGuess.of("What is the capital of France and how big is it?"))
        .isEqualTo("en");
    assertThat(LanguageGuess.of("¿Cuál es la capital de Francia y por qué es tan grande?"))
        .isEqualTo("es");
    assertThat(
            LanguageGuess.of(
                "Quelle est la capitale de la France et pourquoi est-elle si grande ?"))
        .isEqualTo("fr");
    assertThat(
            LanguageGuess.of("Was ist die Hauptstadt von Frankreich und wie groß ist sie nicht?"))
        .isEqualTo("de");
    assertThat(LanguageGuess.of("Какая столица Франции?")).isEqualTo("ru");
    assertThat(LanguageGuess.of("法国的首都是哪里？")).isEqualTo("zh");
    assertThat(LanguageGuess.of("フランスの首都はどこですか？")).isEqualTo("ja");
    assertThat(LanguageGuess.of("12345 + 678")).isEqualTo(LanguageGuess.UNKNOWN);
  }

  private final GatewayConfig config =
      TestConfigs.read(
          TestConfigs.pool(
              """
              - name: triage
                policy: rules
                domains:
                  k: 3
                  min-confidence: 0.6
                  exemplars:
                    code: ["Why does my Python function raise a KeyError?", "Refactor this Java class to use streams",
                           "Fix the null pointer exception in my Spring controller", "How do I write a unit test for this TypeScript module?"]
                    cooking: ["How long should I bake a sourdough loaf?", "What can I cook with leftover rice and eggs?",
                              "How do I make a creamy tomato pasta sauce?", "Which spices go well in a lentil curry?"]
                rules:
                  - {name: german, language: [de], route: large-only}
                  - {name: code, domain: [code], route: medium-only}
                default: small-only
              - {name: large-only, models: [large]}
              - {name: medium-only, models: [medium]}
              - {name: small-only, models: [small]}
              """));
  private final Router router = new Router(config, TestConfigs.policies(), TestConfigs.services());

  private Decision.Routed decide(String text) {
    return (Decision.Routed)
        router.decide(
            Requests.signals(
                Requests.of(
                    "{\"model\":\"triage\",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + text
                        + "\"}]}")),
            3,
            PoolSnapshot.EMPTY);
  }

  @Test
  void rulesMatchTheLanguageAndTheClassifiedDomainAndEachDecisionReplays() {
    Decision.Routed german =
        decide("Wie kann ich die Datei nicht speichern, wenn der Ordner fehlt?");
    assertThat(german.route().name()).isEqualTo("large-only");
    assertThat(german.record().signals()).containsEntry("language", "de");

    Decision.Routed code =
        decide("My Rust program panics with index out of bounds in a loop, how do I fix it?");
    assertThat(code.route().name()).isEqualTo("medium-only");
    assertThat((String) code.record().signals().get("rule:triage"))
        .contains("domain code (confidence");

    Decision.Routed other = decide("What should I put in a vegetable soup?");
    assertThat(other.route().name()).isEqualTo("small-only");

    for (Decision.Routed live : List.of(german, code, other)) {
      RecordedSignals recorded =
          new RecordedSignals(
              "triage",
              "t",
              live.record().signals(),
              List.of(),
              OptionalLong.empty(),
              1000,
              TestConfigs.signals());
      Decision.Routed replayed = (Decision.Routed) router.decide(recorded, 3, PoolSnapshot.EMPTY);
      assertThat(replayed.record().routes()).isEqualTo(live.record().routes());
      assertThat(replayed.record().signals()).isEqualTo(live.record().signals());
    }
  }

  @Test
  void aDomainRuleOnARouteWithoutExemplarsIsAConfigError() {
    assertThatThrownBy(
            () ->
                TestConfigs.read(
                    TestConfigs.pool(
                        """
                        - name: triage
                          policy: rules
                          rules:
                            - {name: code, domain: [code], route: small-only}
                          default: small-only
                        - {name: small-only, models: [small]}
                        """)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].rules[0].domain: the route classifies no domains");
  }
}
