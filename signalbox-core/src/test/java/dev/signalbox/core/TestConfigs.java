package dev.signalbox.core;

import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.Upstream;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.dispatch.Backoff;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.learn.BanditLearners;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.pool.PoolState;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.testing.ManualClock;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Configs for tests, read from YAML text exactly as a user's file would be, and what routes are
 * built with: the policies on the class path, a token counter, and the real MiniLM embeddings,
 * loaded once for the whole test run and only when a test reads one.
 */
public final class TestConfigs {
  private static final PolicyRegistry POLICIES = PolicyRegistry.load();
  private static final TokenCounter TOKENS = new TokenCounter();
  private static final Supplier<Embeddings> EMBEDDINGS = Embeddings.offlineOnDemand();

  private TestConfigs() {}

  public static PolicyRegistry policies() {
    return POLICIES;
  }

  public static TokenCounter tokens() {
    return TOKENS;
  }

  /** The real sentence embeddings, one text per model call (exact). */
  public static Supplier<Embeddings> embeddings() {
    return EMBEDDINGS;
  }

  public static SignalSources signals() {
    return new SignalSources(TOKENS, EMBEDDINGS);
  }

  /** Policies built over artifact files, with learners that apply feedback at once. */
  public static PolicyServices services() {
    return PolicyServices.of(
        signals(),
        ArtifactSource.files(SentenceEncoder.MODEL_ID, new BanditLearners(Runnable::run)));
  }

  public static ConfigReader reader(Map<String, String> environment) {
    return new ConfigReader(POLICIES, environment::get);
  }

  public static GatewayConfig read(String yaml) {
    return reader(Map.of()).read(yaml, "test.yaml");
  }

  /**
   * Three sim models (small, medium, large) with one deployment each; routes appended by the
   * caller.
   */
  /**
   * Gateway settings for component tests: the manual clock, seeded randomness, the given upstreams
   * and listener, no trace store; a test changes what it needs before {@code build()}.
   */
  public static Gateway.Builder gatewaySettings(
      ManualClock clock, RoutingListener listener, Function<DeploymentSpec, Upstream> upstreams) {
    return Gateway.Settings.builder()
        .time(clock)
        .seeds(new SplittableRandom(5)::nextLong)
        .upstreams(upstreams)
        .listener(listener)
        .sink(trace -> {})
        .pool(new PoolState(clock))
        .backoff(Backoff.DEFAULT)
        .policies(policies())
        .signals(signals());
  }

  public static String pool(String routes) {
    return """
    deployments:
      - {name: small-a, provider: sim}
      - {name: small-b, provider: sim}
      - {name: medium-a, provider: sim}
      - {name: large-a, provider: sim}
    models:
      - name: small
        deployments: [small-a, small-b]
        pricing: {input: 0.1, output: 0.4}
        context-window: 4096
      - name: medium
        deployments: [medium-a]
        pricing: {input: 1.0, output: 3.0}
        context-window: 32000
        capabilities: [tools, json-schema]
      - name: large
        deployments: [large-a]
        pricing: {input: 10.0, output: 30.0}
        context-window: 200000
        capabilities: [tools, vision, json-schema]
    routes:
    """
        + routes.stripIndent().indent(2);
  }
}
