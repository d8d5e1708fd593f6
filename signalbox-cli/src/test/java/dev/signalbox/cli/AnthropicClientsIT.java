package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anthropic's side of the gateway as its users meet it: the official {@code @anthropic-ai/sdk} and
 * the real Claude Code CLI ({@link NodeClients}), offline, against the gateway serving the
 * quickstart config on {@code POST /v1/messages}.
 */
@Timeout(900)
class AnthropicClientsIT {
  @TempDir static Path dir;
  private static Path clients;
  private static ServeCommand.Running running;

  @BeforeAll
  static void start() throws Exception {
    clients = NodeClients.installed();
    running = NodeClients.quickstart(dir);
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.stop();
    }
  }

  private static String baseUrl() {
    return "http://127.0.0.1:" + running.server().port();
  }

  @Test
  void theOfficialAnthropicClientWorksAgainstTheQuickstart() throws Exception {
    Processes.Result result =
        Processes.run(clients, Duration.ofMinutes(2), "node", "messages.mjs", baseUrl());
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains(
            "message ok", "stream ok", "tools ok", "count ok", "errors ok: 404 not_found_error");
  }

  private static Processes.Result claude(String baseUrl, Path workDir, String prompt)
      throws Exception {
    Path home = Files.createDirectories(workDir.resolve("home"));
    return Processes.run(
        workDir,
        Map.of(
            "HOME", home.toString(),
            "ANTHROPIC_BASE_URL", baseUrl,
            "ANTHROPIC_API_KEY", "unused-on-loopback",
            "DISABLE_TELEMETRY", "1",
            "DISABLE_AUTOUPDATER", "1",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
        Duration.ofMinutes(3),
        clients.resolve("node_modules/.bin/claude").toString(),
        "-p",
        prompt,
        "--model",
        "auto");
  }

  @Test
  void claudeCodeAnswersThroughTheGateway() throws Exception {
    Processes.Result result =
        claude(baseUrl(), Files.createDirectories(dir.resolve("hello")), "Say hello");
    assertThat(result.exitCode()).as(result.output()).isZero();
    // The quickstart's simulated models answer "... answer from the <model> model ...".
    assertThat(result.output()).contains("answer from the");
  }

  /**
   * A multi-turn task with a tool call: Claude Code reads a file through its Read tool, over a
   * scripted model that plays the tool-using turns; the loop's second turn is held on the model and
   * deployment that made the call.
   */
  @Test
  void claudeCodeCompletesAToolLoopThroughTheGateway() throws Exception {
    Path work = Files.createDirectories(dir.resolve("task"));
    Path file = work.resolve("secret.txt");
    Files.writeString(file, "pomegranate\n");
    try (ScriptedUpstreamServer model =
        new ScriptedUpstreamServer(ScriptedAgentModel.behaviour())) {
      ServeCommand.Running agents = ScriptedAgentGateway.start(work, model);
      try {
        Processes.Result result =
            claude(
                "http://127.0.0.1:" + agents.server().port(),
                work,
                "Read the file " + file + " and answer with the word in it.");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("pomegranate");
        List<JsonNode> traces = ScriptedAgentGateway.traces(agents);
        // One decision per turn; the turn carrying the tool result was held on the loop's model.
        assertThat(traces).hasSizeGreaterThanOrEqualTo(2);
        assertThat(traces)
            .anySatisfy(
                t -> {
                  assertThat(t.path("signals").path("tool_loop").asText()).startsWith("agent|");
                  assertThat(t.path("signals").path("tool_loop_held:auto").asText())
                      .startsWith("held agent");
                });
      } finally {
        agents.stop();
      }
    }
  }
}
