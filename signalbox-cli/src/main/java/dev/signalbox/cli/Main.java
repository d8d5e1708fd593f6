package dev.signalbox.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code signalbox} command. */
@Command(
    name = "signalbox",
    mixinStandardHelpOptions = true,
    version = "signalbox 0.1.0",
    description = "An OpenAI-compatible LLM routing gateway.",
    subcommands = {
      ServeCommand.class,
      ValidateCommand.class,
      TracesCommand.class,
      EvalCommand.class,
      ReplayCommand.class,
      FeedbackCommand.class,
      TrainCommand.class,
      ConfigCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
