package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.routing.PolicyRegistry;

/** The config reader every command uses: built-in policies, the process environment. */
final class Configs {
  private Configs() {}

  static ConfigReader reader() {
    return new ConfigReader(PolicyRegistry.builtIn().names(), System::getenv);
  }
}
