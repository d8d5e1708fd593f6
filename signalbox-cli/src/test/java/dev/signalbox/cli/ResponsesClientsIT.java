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
 * OpenAI's Responses API as its users meet it: the official {@code openai} client and the real
 * Codex CLI ({@link NodeClients}), offline, against the gateway on {@code POST /v1/responses}.
 */
@Timeout(900)
class ResponsesClientsIT {
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
  void theOfficialOpenAiClientSpeaksResponsesToTheQuickstart() throws Exception {
    Processes.Result result =
        Processes.run(clients, Duration.ofMinutes(2), "node", "responses.mjs", baseUrl());
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains(
            "response ok",
            "stream ok",
            "tools ok: message,function_call,function_call_output",
            "store ok",
            "errors ok: 404");
  }

  /**
   * Codex with a model provider on the gateway ({@code wire_api = "responses"}), its home in the
   * work folder, analytics and update checks off: nothing leaves loopback.
   */
  private static Processes.Result codex(String baseUrl, Path workDir, String prompt)
      throws Exception {
    Path home = Files.createDirectories(workDir.resolve("codex-home"));
    Files.writeString(
        home.resolve("config.toml"),
        """
        model = "auto"
        model_provider = "signalbox"
        check_for_update_on_startup = false

        [analytics]
        enabled = false

        [model_providers.signalbox]
        name = "Signalbox"
        base_url = "%s/v1"
        wire_api = "responses"
        env_key = "SIGNALBOX_API_KEY"
        """
            .formatted(baseUrl));
    return Processes.run(
        workDir,
        Map.of(
            "HOME", home.toString(),
            "CODEX_HOME", home.toString(),
            "SIGNALBOX_API_KEY", "unused-on-loopback"),
        Duration.ofMinutes(3),
        clients.resolve("node_modules/.bin/codex").toString(),
        "exec",
        "--skip-git-repo-check",
        "--dangerously-bypass-approvals-and-sandbox",
        prompt);
  }

  @Test
  void codexAnswersThroughTheGateway() throws Exception {
    Processes.Result result =
        codex(baseUrl(), Files.createDirectories(dir.resolve("hello")), "Say hello");
    assertThat(result.exitCode()).as(result.output()).isZero();
    // The quickstart's simulated models answer "... answer from the <model> model ...".
    assertThat(result.output()).contains("answer from the");
  }

  /**
   * A multi-turn task with a tool call: Codex runs {@code cat} on a file through its exec_command
   * tool, over a scripted model that plays the tool-using turns; the turn carrying the tool's
   * output is held on the model and deployment that made the call.
   */
  @Test
  void codexCompletesAToolLoopThroughTheGateway() throws Exception {
    Path work = Files.createDirectories(dir.resolve("task"));
    Path file = work.resolve("secret.txt");
    Files.writeString(file, "pomegranate\n");
    try (ScriptedUpstreamServer model =
        new ScriptedUpstreamServer(ScriptedAgentModel.behaviour())) {
      ServeCommand.Running agents = ScriptedAgentGateway.start(work, model);
      try {
        Processes.Result result =
            codex(
                "http://127.0.0.1:" + agents.server().port(),
                work,
                "Read the file " + file + " and answer with the word in it.");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("The word is pomegranate");
        List<JsonNode> traces = ScriptedAgentGateway.traces(agents);
        // One decision per turn, each recorded as a Responses request; the turn carrying the
        // command's output was held on the loop's model.
        assertThat(traces).hasSizeGreaterThanOrEqualTo(2);
        assertThat(traces)
            .allSatisfy(
                t -> assertThat(t.path("flags").toString()).contains("ingress:openai-responses"));
        assertThat(traces)
            .anySatisfy(
                t ->
                    assertThat(t.path("signals").path("tool_loop_held:auto").asText())
                        .startsWith("held agent"));
      } finally {
        agents.stop();
      }
    }
  }
}
