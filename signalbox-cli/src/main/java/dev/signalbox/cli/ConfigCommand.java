package dev.signalbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.signalbox.core.config.ConfigSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** What there is to know about config files beside validating one. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "About config files.",
    subcommands = {ConfigCommand.Schema.class})
final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints the JSON Schema of a config file, for editors to complete and check configs with. */
  @Command(
      name = "schema",
      mixinStandardHelpOptions = true,
      description =
          "Print the JSON Schema of the config file (every policy on the class path included).")
  static final class Schema implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      spec.commandLine()
          .getOut()
          .println(json.writeValueAsString(ConfigSchema.of(Configs.policies())));
      return 0;
    }
  }
}
