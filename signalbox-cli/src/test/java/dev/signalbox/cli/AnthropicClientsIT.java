package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    String quickstart =
        Files.readString(Path.of("..", "examples", "quickstart.yaml"))
            .replace("path: .signalbox/traces.db", "path: " + dir.resolve("traces.db"));
    Path config = dir.resolve("quickstart.yaml");
    Files.writeString(config, quickstart);
    GatewayConfig parsed = Configs.reader().read(config);
    running = ServeCommand.start(parsed, Configs.reader(), config, 0);
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

  @Test
  void claudeCodeAnswersThroughTheGateway() throws Exception {
    Path home = Files.createDirectories(dir.resolve("claude-home"));
    Processes.Result result =
        Processes.run(
            clients,
            Map.of(
                "HOME", home.toString(),
                "ANTHROPIC_BASE_URL", baseUrl(),
                "ANTHROPIC_API_KEY", "unused-on-loopback",
                "DISABLE_TELEMETRY", "1",
                "DISABLE_AUTOUPDATER", "1",
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
            Duration.ofMinutes(3),
            clients.resolve("node_modules/.bin/claude").toString(),
            "-p",
            "Say hello",
            "--model",
            "auto");
    assertThat(result.exitCode()).as(result.output()).isZero();
    // The quickstart's simulated models answer "... answer from the <model> model ...".
    assertThat(result.output()).contains("answer from the");
  }
}
