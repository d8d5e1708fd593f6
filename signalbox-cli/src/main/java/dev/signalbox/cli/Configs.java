package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.routing.PolicyRegistry;
import java.nio.file.Path;

/** The config reader every command uses: built-in policies, the process environment. */
final class Configs {
  private Configs() {}

  static ConfigReader reader() {
    return new ConfigReader(PolicyRegistry.builtIn().names(), System::getenv);
  }

  /** A reader for configs that are only routed offline, never served: upstream keys need not be set. */
  static ConfigReader offlineReader() {
    return new ConfigReader(PolicyRegistry.builtIn().names(), name -> "unused-offline");
  }

  /** The trace store a command reads: the one named, else the config's, else the default file. */
  static Path traceStore(Path store, Path config) {
    if (store != null) {
      return store;
    }
    if (config != null) {
      return reader().read(config).traces().path();
    }
    return Path.of("signalbox-traces.db");
  }
}
