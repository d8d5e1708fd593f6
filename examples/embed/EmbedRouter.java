import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.gateway.Caller;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.Handled;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.wire.ChatRequestParser;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The router in your own JVM, no HTTP server: build a gateway from a config, hand it requests,
 * read the answer and where it went. Depends on dev.signalbox:signalbox-core only.
 */
public class EmbedRouter {
  static final String CONFIG =
      """
      deployments:
        - {name: small-sim, provider: sim, sim: {answer: "a short answer"}}
        - {name: large-sim, provider: sim, sim: {answer: "a long and careful answer"}}
      models:
        - {name: small, deployments: [small-sim], pricing: {input: 0.1, output: 0.4}}
        - {name: large, deployments: [large-sim], pricing: {input: 2.5, output: 10}}
      routes:
        - name: auto
          policy: rules
          rules:
            - {name: hard, keywords: [prove], route: strong}
          default: cheap
        - {name: cheap, models: [small, large], policy: cheapest}
        - {name: strong, models: [large, small], policy: priority}
      """;

  public static void main(String[] args) throws Exception {
    PolicyRegistry policies = PolicyRegistry.load();
    GatewayConfig config = new ConfigReader(policies, System::getenv).read(CONFIG, "embedded");
    try (Gateway gateway =
        Gateway.create(config, Gateway.Settings.builder().policies(policies).build())) {
      Caller me = new Caller("my-app", Set.of(), Map.of());
      for (String prompt : new String[] {"Say hello", "Prove that 2 + 2 = 4"}) {
        String body =
            "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        Handled handled =
            gateway.handle(ChatRequestParser.parse(body.getBytes(StandardCharsets.UTF_8)), me);
        if (handled instanceof Handled.Completed answer) {
          System.out.printf(
              "%s -> %s via %s: %s%n",
              prompt,
              answer.info().model(),
              answer.info().route(),
              answer.body().at("/choices/0/message/content").asText());
        }
      }
    }
  }
}
