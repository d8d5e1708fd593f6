package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official openai npm client ({@link NodeClients}) calls the gateway serving the quickstart
 * config. Without Node this test fails: the client is part of the proof.
 */
@Timeout(600)
class OpenAiNodeClientIT {
  @TempDir Path dir;

  @Test
  void theOfficialClientWorksAgainstTheQuickstart() throws Exception {
    Path client = NodeClients.installed();
    ServeCommand.Running running = NodeClients.quickstart(dir);
    try {
      Processes.Result result =
          Processes.run(
              client,
              Duration.ofMinutes(2),
              "node",
              "client.mjs",
              "http://127.0.0.1:" + running.server().port() + "/v1");
      assertThat(result.exitCode()).as(result.output()).isZero();
      assertThat(result.output())
          .contains(
              "completion ok",
              "headers ok",
              "stream ok",
              "tools ok",
              "models ok",
              "errors ok: 404 model_not_found",
              "embeddings ok");
    } finally {
      running.stop();
    }
  }
}
