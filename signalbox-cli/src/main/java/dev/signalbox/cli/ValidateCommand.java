package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.routing.Router;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Checks a config and reports every problem at once. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check a config file; report every problem with its path.")
final class ValidateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "the YAML config")
  Path file;

  @CommandLine.Option(
      names = "--without-secrets",
      description =
          "do not require the environment variables that hold keys (for CI, where they are not"
              + " set)")
  boolean withoutSecrets;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try {
      GatewayConfig config =
          (withoutSecrets ? Configs.offlineReader() : Configs.reader()).read(file);
      // Building the router reads every learned route's artifact and checks it fits.
      new Router(config, Configs.policies(), Configs.offlineServices());
      spec.commandLine()
          .getOut()
          .printf(
              "%s: valid (%d deployments, %d models, %d routes; config hash %s)%n",
              file,
              config.deployments().size(),
              config.models().size(),
              config.routes().size(),
              config.hash().substring(0, 12));
      return 0;
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
  }
}
