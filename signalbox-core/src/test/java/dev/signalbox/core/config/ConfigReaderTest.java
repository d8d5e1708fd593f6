package dev.signalbox.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.core.TestConfigs;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConfigReaderTest {

  @Test
  void readsAValidConfigWithDefaults() {
    GatewayConfig config =
        TestConfigs.read(
            TestConfigs.pool(
                """
                - name: auto
                  models: [small, large]
                  policy: cheapest
                  fallbacks: [medium]
                  timeout: 1.5s
                """));
    RouteSpec auto = config.route("auto").orElseThrow();
    assertThat(auto.models()).containsExactly("small", "large");
    assertThat(auto.fallbacks()).containsExactly("medium");
    assertThat(auto.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(auto.fallbackOn()).contains(429, 500, 503, 529).doesNotContain(400);
    assertThat(config.model("large").orElseThrow().capabilities())
        .contains(Capability.VISION, Capability.TOOLS);
    assertThat(config.server().host()).isEqualTo("127.0.0.1");
    assertThat(config.hash()).hasSize(64);
  }

  @Test
  void reportsEveryProblemAtOnceWithItsPath() {
    String yaml =
        """
        deployments:
          - {name: east, provider: openai}
          - {name: west, provider: carrier-pigeon, base-url: ftp://x}
        models:
          - name: gpt-4o
            deployments: [east, north]
            capabilities: [telepathy]
            context-window: -5
        routes:
          - name: auto
            models: [gpt4o]
            policy: smartest
            fallbacks: [llama-local]
            timeout: soon
            colour: blue
        """;
    assertThatThrownBy(() -> TestConfigs.read(yaml))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "deployments[0].base-url: missing (needed by provider openai)",
                        "deployments[1].provider: unknown provider 'carrier-pigeon' (known: openai,"
                            + " anthropic, sim, replay)",
                        "deployments[1].base-url: expected an http:// or https:// URL, got"
                            + " 'ftp://x'",
                        "models[0].capabilities[0]: unknown capability 'telepathy' (known: tools,"
                            + " vision, json-schema, assistant-prefill, embeddings)",
                        "models[0].context-window: must be between 1 and 100000000, was -5",
                        "routes[0].policy: unknown policy 'smartest' (known: bandit, cascade,"
                            + " cheapest, objective, priority, rules, score, threshold, weighted)",
                        "routes[0].timeout: expected a duration like 250ms, 2s, 1m or 1h, got"
                            + " 'soon'",
                        "routes[0].colour: unknown key (known: continue-streams,"
                            + " default-max-tokens, fallback-on, fallback-order, fallbacks, hedge,"
                            + " max-attempts, models, name, policy, session, session-budget-usd,"
                            + " slo, timeout)",
                        "models[0].deployments[1]: unknown deployment 'north' (known: east, west)",
                        "routes[0].models[0]: unknown model 'gpt4o' (known: gpt-4o)",
                        "routes[0].fallbacks[0]: unknown model 'llama-local' (known: gpt-4o)"));
  }

  @Test
  void readsACascadeAndReportsWhatIsWrongWithOne() {
    RouteSpec math =
        TestConfigs.read(
                TestConfigs.pool(
                    """
                    - name: math
                      policy: cascade
                      models: [small, large]
                      cascade:
                        samples: 3
                        checks:
                          - agreement: {min-share: 0.6, answer: '####\\s*(\\S+)'}
                          - regex: '\\d+$'
                          - arithmetic: {tolerance: 0.01}
                          - json-schema: {type: object}
                          - logprobs: {min-mean: -1}
                    """))
            .route("math")
            .orElseThrow();
    assertThat(((CascadePolicySpec) math.spec()).cascade().samples()).isEqualTo(3);
    assertThat(((CascadePolicySpec) math.spec()).cascade().checks())
        .extracting(CascadeSpec.Check::kind)
        .containsExactly("agreement", "regex", "arithmetic", "json-schema", "logprobs");
    assertThat(((CascadePolicySpec) math.spec()).cascade().readsLogProbs()).isTrue();

    assertThatThrownBy(
            () ->
                TestConfigs.read(
                    TestConfigs.pool(
                        """
                        - name: lone
                          policy: cascade
                          models: [small]
                          cascade:
                            checks:
                              - agreement: {}
                              - regex: '(unclosed'
                              - json-schema: {type: 12}
                              - vibes: {}
                        - name: bare
                          policy: cascade
                          models: [small, large]
                        - name: plain
                          policy: cheapest
                          models: [small, large]
                          cascade: {checks: [{regex: x}]}
                        """)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "routes[0].cascade.checks[1].regex: not a valid regular expression:"
                            + " Unclosed group",
                        "routes[0].cascade.checks[2].json-schema: not a valid JSON schema: $.type:"
                            + " does not have a value in the enumeration [\"array\", \"boolean\","
                            + " \"integer\", \"null\", \"number\", \"object\", \"string\"]; $.type:"
                            + " integer found, array expected",
                        "routes[0].cascade.checks[3]: expected one of agreement, regex, arithmetic,"
                            + " json-schema, logprobs, got [vibes]",
                        "routes[1].cascade: missing (a cascade route names its checks: cascade:"
                            + " {checks: [{regex: ...}]})",
                        "routes[2].cascade: only a cascade route reads cascade (policy: cascade)",
                        "routes[0].models: a cascade needs two models or more: the cheapest answers"
                            + " first, the last one when checks fail",
                        "routes[0].cascade.samples: an agreement check compares samples: set"
                            + " samples to 2 or more"));
  }

  @Test
  void refusesANonLoopbackBindWithoutKeys() {
    assertThatThrownBy(
            () ->
                TestConfigs.read(
                    "server: {host: 0.0.0.0}\n" + TestConfigs.pool("- {name: a, models: [small]}")))
        .hasMessageContaining(
            "server.host: '0.0.0.0' is not loopback and auth.keys is empty; add gateway keys or"
                + " bind 127.0.0.1");
  }

  @Test
  void acceptsANonLoopbackBindWithKeys() {
    String digest = ConfigReader.sha256("sk-team-a");
    GatewayConfig config =
        TestConfigs.read(
            "server: {host: 0.0.0.0}\nauth:\n  keys:\n    - {name: a, key-sha256: "
                + digest
                + ", tenant: team-a, routes: [a]}\n"
                + TestConfigs.pool("- {name: a, models: [small]}"));
    assertThat(config.auth().keys())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.tenant()).isEqualTo("team-a");
              assertThat(k.allows("a")).isTrue();
              assertThat(k.allows("b")).isFalse();
            });
  }

  @Test
  void anEmbeddingModelOnAnAnthropicDeploymentIsAProblem() {
    String yaml =
        """
        deployments:
          - {name: claude, provider: anthropic, base-url: https://api.example.com/v1}
        models:
          - {name: e, deployments: [claude], capabilities: [embeddings]}
        """;
    assertThatThrownBy(() -> TestConfigs.read(yaml))
        .hasMessageContaining(
            "models[0].deployments[0]: 'claude' is an anthropic deployment, which serves no"
                + " embeddings");
  }

  @Test
  void reportsAMissingKeyEnvironmentVariableByName() {
    String yaml =
        """
        deployments:
          - {name: east, provider: openai, base-url: https://api.example.com/v1, api-key-env: EXAMPLE_KEY}
        models:
          - {name: m, deployments: [east]}
        """;
    assertThatThrownBy(() -> TestConfigs.read(yaml))
        .hasMessageContaining(
            "deployments[0].api-key-env: environment variable 'EXAMPLE_KEY' is not set");
    assertThat(
            TestConfigs.reader(Map.of("EXAMPLE_KEY", "sk-x"))
                .read(yaml, "t")
                .deployment("east")
                .apiKeyEnv())
        .contains("EXAMPLE_KEY");
  }

  @Test
  void findsRuleDelegationCyclesAndUnknownTargets() {
    String routes =
        """
        - name: a
          policy: rules
          rules:
            - {keywords: [x], route: b}
          default: c
        - name: b
          policy: rules
          rules:
            - {tools: true, route: a}
          default: nowhere
        - {name: c, models: [small]}
        """;
    assertThatThrownBy(() -> TestConfigs.read(TestConfigs.pool(routes)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "routes[0].rules: delegation loops back to itself (a -> b -> a)",
                        "routes[1].default: unknown route 'nowhere' (known: a, b, c)"));
  }

  @Test
  void reportsDuplicateNamesAndBadYaml() {
    assertThatThrownBy(
            () ->
                TestConfigs.read(
                    "deployments:\n"
                        + "  - {name: x, provider: sim}\n"
                        + "  - {name: x, provider: sim}\n"
                        + "models:\n"
                        + "  - {name: m, deployments: [x]}\n"))
        .hasMessageContaining("deployments[1].name: duplicate deployment name 'x'");
    assertThatThrownBy(() -> TestConfigs.read("routes: [unclosed"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void aMisspeltKeyIsNamedWithTheKeysAllowedThereAndTheNearestOne() {
    assertThatThrownBy(
            () ->
                TestConfigs.read(
                    TestConfigs.pool(
                        "- {name: r, models: [small], policy: weighted, wieghts: {small: 1}}")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("routes[0].wieghts: unknown key, did you mean 'weights'? (known:")
                    .contains("weights"));
    assertThatThrownBy(() -> TestConfigs.read("servre: {port: 1}\n" + TestConfigs.pool("")))
        .hasMessageContaining("servre: unknown key, did you mean 'server'?");
  }

  @Test
  void aDuplicateKeyInTheYamlIsRefusedWithItsLine() {
    assertThatThrownBy(
            () ->
                TestConfigs.read(
                    "routes: []\nmodels: []\nroutes:\n  - {name: a, models: [small]}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 3: duplicate key 'routes'");
  }

  @Test
  void durationsBelowAMillisecondOrAboveThirtyDaysAreRefused() {
    for (String timeout : new String[] {"0.0000001ms", "0s", "2000000h"}) {
      assertThatThrownBy(
              () ->
                  TestConfigs.read(
                      TestConfigs.pool("- {name: r, models: [small], timeout: " + timeout + "}")))
          .as(timeout)
          .hasMessageContaining(
              "routes[0].timeout: must be between 1ms and 30 days (720h), was '" + timeout + "'");
    }
  }

  @Test
  void keysScrapeKeysAndServerEdgesAreCheckedWithTheirPaths() {
    Map<String, String> refusals =
        Map.of(
            "server: {cors-origins: [\"https://ok.example\", \"not an origin\"]}",
            "server.cors-origins: expected an origin",
            "server: {request-header-timeout: 0.0000001ms}",
            "server.request-header-timeout: must be between 1ms",
            "auth: {metrics-key-sha256: nothex}",
            "auth.metrics-key-sha256: expected 64 lower-case hex digits",
            "auth: {keys: [{name: empty, key-sha256: \"\"}]}",
            "auth.keys[0].key-sha256: expected 64 lower-case hex digits",
            "auth: {keys: [{name: stray, key-sha256: " + "a".repeat(64) + ", routes: [nowhere]}]}",
            "auth.keys[0].routes: 'nowhere' is no route or model");
    refusals.forEach(
        (yaml, problem) ->
            assertThatThrownBy(
                    () ->
                        TestConfigs.read(
                            yaml + "\n" + TestConfigs.pool("- {name: r, models: [small]}")))
                .as(yaml)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(problem));
  }

  @Test
  void aDeploymentsExtraHeadersAndQueryAreCheckedWithTheirPaths() {
    String url = "base-url: 'http://h/v1', ";
    Map<String, String> refusals =
        Map.of(
            url + "headers: {\"bad header\": x}",
            "deployments[0].headers.bad header: not a valid HTTP header name",
            url + "headers: {Host: example.com}",
            "deployments[0].headers.Host: the gateway sets this header itself",
            url + "header-env: {content-length: LEN}",
            "deployments[0].header-env.content-length: the gateway sets this header itself",
            url + "headers: {api-key: x}, header-env: {API-KEY: KEY}",
            "deployments[0].headers.api-key: set twice",
            "base-url: 'http://h/v1?a=b', query: {api-version: x}",
            "deployments[0].query: base-url already has a query");
    refusals.forEach(
        (fields, problem) -> {
          String yaml =
              "deployments:\n  - {name: d, provider: openai, "
                  + fields
                  + "}\nmodels:\n  - {name: m, deployments: [d]}\n";
          assertThatThrownBy(() -> TestConfigs.read(yaml))
              .as(yaml)
              .isInstanceOf(ConfigException.class)
              .hasMessageContaining(problem);
        });
  }

  @Test
  void aDeploymentKeepsAsManyIdleConnectionsAsItSays() {
    String deployment = "deployments:\n  - {name: d, provider: openai, base-url: 'http://h/v1'";
    String rest = "}\nmodels:\n  - {name: m, deployments: [d]}\n";
    assertThat(TestConfigs.read(deployment + ", idle-connections: 8" + rest).deployment("d"))
        .extracting(DeploymentSpec::idleConnections)
        .isEqualTo(8);
    assertThatThrownBy(() -> TestConfigs.read(deployment + ", idle-connections: 0" + rest))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "deployments[0].idle-connections: must be between 1 and 100000, was 0");
  }

  @Test
  void sizesAreWrittenWithOrWithoutAUnitAndDefaultsComeFromTheRecords() {
    GatewayConfig config =
        TestConfigs.read(
            "server: {max-body-bytes: 2MiB}\n" + TestConfigs.pool("- {name: r, models: [small]}"));
    assertThat(config.server().maxBodyBytes().bytes()).isEqualTo(2 * 1024 * 1024);
    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.deployment("small-a").requestTimeout()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.deployment("small-a").idleConnections()).isEqualTo(64);
    assertThat(config.deployment("small-a").breaker()).isEqualTo(BreakerSpec.DEFAULT);
    assertThat(config.route("r").orElseThrow().spec()).isInstanceOf(PriorityPolicySpec.class);
    assertThatThrownBy(
            () ->
                TestConfigs.read(
                    "server: {max-body-bytes: lots}\n"
                        + TestConfigs.pool("- {name: r, models: [small]}")))
        .hasMessageContaining(
            "server.max-body-bytes: expected a size like 4194304, 512KiB, 4MiB or 1GiB, got"
                + " 'lots'");
  }
}
