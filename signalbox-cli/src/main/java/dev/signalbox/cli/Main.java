package dev.signalbox.cli;

import java.util.logging.Level;
import java.util.logging.Logger;
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
      WarmUpCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /**
   * DJL (the tokenizer's runtime) says where it found its native library on every start, and its
   * CUDA probe warns on each machine without a GPU; the model runs on the CPU by design. Held here:
   * JUL keeps loggers only weakly, and a collected one would forget its level.
   */
  private static final Logger DJL = Logger.getLogger("ai.djl");

  private static final Logger CUDA_PROBE = Logger.getLogger("ai.djl.util.cuda");

  static {
    DJL.setLevel(Level.WARNING);
    CUDA_PROBE.setLevel(Level.OFF);
  }

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
