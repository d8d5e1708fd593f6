package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.cli.plugin.PreferredPolicy;
import dev.signalbox.core.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy from a jar on the class path (here the test classes, registered by their own {@code
 * META-INF/services} file) is known everywhere, with no change to the gateway: the registry lists
 * it, {@code validate} binds and checks its keys, the schema describes them, {@code serve} routes
 * with it and {@code eval} sweeps its knob.
 */
@Timeout(60)
class CustomPolicyTest {
  @TempDir Path dir;

  private static final String POOL =
      """
      traces: {path: %s}
      server: {access-log: false}
      deployments:
        - {name: a, provider: sim, sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 0}}}
        - {name: b, provider: sim, sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 0}}}
      models:
        - {name: small, deployments: [a], pricing: {input: 0.1, output: 0.2}}
        - {name: large, deployments: [b], pricing: {input: 5, output: 15}}
      routes:
      """;

  private Path config(String route) throws Exception {
    return Files.writeString(
        dir.resolve("gateway.yaml"), POOL.formatted(dir.resolve("t.db")) + route.indent(2));
  }

  @Test
  void theRegistryFindsThePluginBesideTheBuiltInPolicies() {
    assertThat(Configs.policies().names()).contains("preferred", "cheapest", "cascade");
    assertThat(Configs.policies().specType("preferred")).contains(PreferredPolicy.Spec.class);
  }

  @Test
  void validateBindsAndChecksThePluginsKeys() throws Exception {
    Path good = config("- {name: r, policy: preferred, models: [small, large], prefer: [large]}");
    assertThat(CliTest.run("validate", good.toString()).exit()).isZero();

    Path typo = config("- {name: r, policy: preferred, models: [small, large], prefers: [large]}");
    CliTest.Run refused = CliTest.run("validate", typo.toString());
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains("routes[0].prefers: unknown key, did you mean 'prefer'?");

    Path wrong = config("- {name: r, policy: preferred, models: [small, large], prefer: [huge]}");
    assertThat(CliTest.run("validate", wrong.toString()).err())
        .contains("routes[0].prefer[0]: 'huge' is not one of the route's models");
  }

  @Test
  void theSchemaDescribesThePluginsRoutes() throws Exception {
    CliTest.Run run = CliTest.run("config", "schema");
    assertThat(run.exit()).isZero();
    JsonNode variants = Json.MAPPER.readTree(run.out()).at("/properties/routes/items/oneOf");
    List<String> policies = new ArrayList<>();
    variants.forEach(v -> policies.add(v.at("/properties/policy/const").asText()));
    assertThat(policies).contains("preferred");
    JsonNode preferred = variants.get(policies.indexOf("preferred"));
    assertThat(preferred.at("/properties/prefer/type").asText()).isEqualTo("array");
    assertThat(preferred.at("/properties/prefer/items/type").asText()).isEqualTo("string");
  }

  @Test
  void serveRoutesWithThePlugin() throws Exception {
    Path file = config("- {name: r, policy: preferred, models: [small, large], prefer: [large]}");
    ServeCommand.Running running =
        ServeCommand.start(Configs.reader().read(file), Configs.reader(), file, 0);
    try {
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + running.server().port()
                                  + "/v1/chat/completions"))
                      .header("content-type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"model\":\"r\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(answer.headers().firstValue("x-signalbox-model")).contains("large");
      String id = answer.headers().firstValue("x-signalbox-request-id").orElseThrow();
      running.traces().orElseThrow().flush(Duration.ofSeconds(10));
      CliTest.Run trace = CliTest.run("traces", "--store", dir.resolve("t.db").toString(), id);
      assertThat(trace.out()).contains("\"policy\" : \"preferred\"");
    } finally {
      running.stop();
    }
  }

  @Test
  void evalSweepsThePluginsKnob() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add(
          "{\"id\": \"q"
              + i
              + "\", \"prompt\": \"question "
              + i
              + "\", \"outcomes\": {\"small\": {\"quality\": "
              + (i % 2)
              + ", \"cost_usd\": 0.001}, \"large\": {\"quality\": 1, \"cost_usd\": 0.01}}}");
    }
    Path data = Files.write(dir.resolve("data.jsonl"), lines);
    Path policies =
        Files.writeString(
            dir.resolve("policies.yaml"),
            "routes:\n  - {name: prefers-small, policy: preferred, models: [small, large],"
                + " prefer: [small]}\n");
    CliTest.Run run =
        CliTest.run(
            "eval", "--dataset", data.toString(), "--policies", policies.toString(), "--json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode route = Json.MAPPER.readTree(run.out()).path("prefers-small");
    assertThat(route.path("quality").asDouble()).isEqualTo(0.5);
    assertThat(route.path("points"))
        .as(route.toString())
        .extracting(p -> p.path("label").asText())
        .containsExactly("configured", "always small", "always large");
  }
}
