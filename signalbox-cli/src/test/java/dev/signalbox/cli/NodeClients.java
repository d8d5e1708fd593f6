package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The official clients and agents of src/test/node (openai, @anthropic-ai/sdk, Claude Code), pinned
 * by package-lock.json and installed with npm ci once into target/node-clients for every test that
 * drives the gateway with them. Without Node and npm those tests fail: the clients are part of the
 * proof.
 */
final class NodeClients {
  private static final String[] FILES = {
    "package.json",
    "package-lock.json",
    "client.mjs",
    "messages.mjs",
    "responses.mjs",
    "dashboard.mjs"
  };

  private NodeClients() {}

  /** The installed clients' directory; installs them if the lock file changed since. */
  static synchronized Path installed() throws IOException, InterruptedException {
    Path dir = Path.of("target", "node-clients").toAbsolutePath();
    Files.createDirectories(dir);
    Path lock = Path.of("src", "test", "node", "package-lock.json");
    Path installedLock = dir.resolve("node_modules/.package-lock.json");
    boolean current =
        Files.exists(installedLock)
            && Files.exists(dir.resolve("package-lock.json"))
            && Files.mismatch(lock, dir.resolve("package-lock.json")) == -1;
    for (String file : FILES) {
      Files.copy(
          Path.of("src", "test", "node", file),
          dir.resolve(file),
          StandardCopyOption.REPLACE_EXISTING);
    }
    if (!current) {
      Processes.Result install =
          Processes.run(dir, Duration.ofMinutes(8), "npm", "ci", "--no-audit", "--no-fund");
      assertThat(install.exitCode()).as("npm ci:\n" + install.output()).isZero();
    }
    return dir;
  }

  /** The quickstart config served on a free port, its traces in {@code dir}. */
  static ServeCommand.Running quickstart(Path dir) throws IOException {
    String quickstart =
        Files.readString(Path.of("..", "examples", "quickstart.yaml"))
            .replace("path: .signalbox/traces.db", "path: " + dir.resolve("traces.db"))
            .replace("path: .signalbox/responses.db", "path: " + dir.resolve("responses.db"));
    Path config = dir.resolve("quickstart.yaml");
    Files.writeString(config, quickstart);
    return ServeCommand.start(Configs.reader().read(config), Configs.reader(), config, 0);
  }
}
