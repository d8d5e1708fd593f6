package dev.signalbox.core;

import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.routing.PolicyRegistry;
import java.util.Map;

/** Configs for tests, read from YAML text exactly as a user's file would be. */
public final class TestConfigs {
  private TestConfigs() {}

  public static ConfigReader reader(Map<String, String> environment) {
    return new ConfigReader(PolicyRegistry.builtIn().names(), environment::get);
  }

  public static GatewayConfig read(String yaml) {
    return reader(Map.of()).read(yaml, "test.yaml");
  }

  /**
   * Three sim models (small, medium, large) with one deployment each; routes appended by the
   * caller.
   */
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
