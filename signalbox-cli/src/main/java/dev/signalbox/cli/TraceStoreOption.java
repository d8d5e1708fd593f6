package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The trace store a command reads: {@code --store}, else the {@code --config}'s traces.path, else
 * the default file.
 */
final class TraceStoreOption {
  @Option(
      names = "--store",
      paramLabel = "FILE",
      description = "the trace store (default: the config's traces.path, else signalbox-traces.db)")
  Path store;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "take the store's path from this config")
  Path config;

  /** The store's path when it exists; otherwise empty, after saying why on {@code err}. */
  Optional<Path> existing(PrintWriter err) {
    Path path;
    try {
      path = Configs.traceStore(store, config);
    } catch (ConfigException e) {
      err.println(e.getMessage().strip());
      return Optional.empty();
    }
    if (!Files.exists(path)) {
      err.println("no trace store at " + path + " (serve writes it; --store names another)");
      return Optional.empty();
    }
    return Optional.of(path);
  }
}
