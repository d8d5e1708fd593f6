package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.DatabaseSettings;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.TraceSettings;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.core.trace.TraceStores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The trace store a command reads: {@code --store} (a file, or the {@code jdbc:postgresql://} URL
 * of the database replicas share, its password from {@code PGPASSWORD}), else the {@code
 * --config}'s (its database when it has one, else its traces.path), else the default file.
 */
final class TraceStoreOption {
  @Option(
      names = "--store",
      paramLabel = "FILE|URL",
      description =
          "the trace store: a file, or a jdbc:postgresql:// URL with its password in PGPASSWORD"
              + " (default: the config's database, else its traces.path, else"
              + " signalbox-traces.db)")
  String store;

  @Option(names = "--config", paramLabel = "FILE", description = "take the store from this config")
  Path config;

  /** A store that was found and opened, and where it is (without credentials) for messages. */
  record Opened(TraceStore store, String where) implements AutoCloseable {
    @Override
    public void close() {
      store.close();
    }
  }

  /** The store when it exists; otherwise empty, after saying why on {@code err}. */
  Optional<Opened> open(PrintWriter err) {
    String location;
    Optional<String> password;
    try {
      Optional<GatewayConfig> read =
          store != null || config == null
              ? Optional.empty()
              : Optional.of(Configs.reader().read(config));
      DatabaseSettings database = read.map(GatewayConfig::database).orElse(DatabaseSettings.NONE);
      location =
          store != null
              ? store
              : database
                  .url()
                  .orElseGet(
                      () ->
                          read.map(c -> c.traces().path())
                              .orElse(TraceSettings.DEFAULT.path())
                              .toString());
      password =
          database.url().isPresent()
              ? database.passwordEnv().map(System::getenv)
              : Optional.ofNullable(System.getenv("PGPASSWORD"));
    } catch (ConfigException e) {
      err.println(e.getMessage().strip());
      return Optional.empty();
    }
    String where = TraceStores.describe(location);
    if (!TraceStores.isDatabase(location) && !Files.exists(Path.of(location))) {
      err.println("no trace store at " + where + " (serve writes it; --store names another)");
      return Optional.empty();
    }
    try {
      return Optional.of(new Opened(TraceStores.open(location, password), where));
    } catch (IllegalStateException e) {
      err.println(e.getMessage());
      return Optional.empty();
    }
  }
}
