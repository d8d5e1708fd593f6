package dev.signalbox.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The training run of the JDK's ahead-of-time cache ({@link WarmUp}): the launcher runs it once per
 * build with {@code -XX:AOTCacheOutput}, and {@code serve} then starts from the cache, the classes
 * the request path loads and links (and the methods it runs hot) recorded.
 */
@Command(
    name = "warm-up",
    hidden = true,
    description = "Serve a config on a free port and send it requests (the AOT cache's training).")
final class WarmUpCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "the YAML config (default: the bundled simulated models and a front to them)")
  Path configFile;

  @Option(
      names = "--front",
      paramLabel = "FILE",
      description =
          "a config served in front of the first, whose port replaces its ${upstream}, and trained"
              + " the same way")
  Path frontFile;

  @Option(names = "--requests", paramLabel = "N", description = "per gateway (default 400)")
  int requests = 400;

  @Override
  public Integer call() throws Exception {
    if (configFile == null) {
      WarmUp.bundled(requests);
    } else {
      Optional<String> front =
          frontFile == null ? Optional.empty() : Optional.of(Files.readString(frontFile));
      WarmUp.run(Files.readString(configFile), front, requests);
    }
    return 0;
  }
}
