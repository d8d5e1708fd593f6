package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway in front of the {@link ScriptedAgentModel}, for an agent's tool-loop task: one model on
 * two deployments of the scripted upstream, routed by {@code auto}, its traces and stored responses
 * in the task's folder.
 */
final class ScriptedAgentGateway {
  private ScriptedAgentGateway() {}

  static ServeCommand.Running start(Path work, ScriptedUpstreamServer model) throws IOException {
    Path config = work.resolve("agents.yaml");
    Files.writeString(
        config,
        """
        server: {host: 127.0.0.1, port: 0}
        traces: {path: %s}
        responses: {path: %s}
        deployments:
          - {name: agent-a, provider: openai, base-url: "%s/v1", model: scripted-agent}
          - {name: agent-b, provider: openai, base-url: "%s/v1", model: scripted-agent}
        models:
          - {name: agent, deployments: [agent-a, agent-b], capabilities: [tools], context-window: 400000}
        routes:
          - {name: auto, models: [agent], policy: priority}
        """
            .formatted(
                work.resolve("traces.db"),
                work.resolve("responses.db"),
                model.baseUrl(),
                model.baseUrl()));
    return ServeCommand.start(Configs.reader().read(config), Configs.reader(), config, 0);
  }

  /** Every trace the gateway wrote, once all are written. */
  static List<JsonNode> traces(ServeCommand.Running gateway) throws Exception {
    assertThat(gateway.traces().orElseThrow().flush(Duration.ofSeconds(10))).isTrue();
    List<JsonNode> traces = new ArrayList<>();
    gateway
        .traces()
        .orElseThrow()
        .store()
        .forEach(
            json -> {
              try {
                traces.add(Json.MAPPER.readTree(json));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    return traces;
  }
}
