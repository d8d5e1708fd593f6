package dev.signalbox.cli;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code signalbox} command. */
@Command(
    name = "signalbox",
    mixinStandardHelpOptions = true,
    version = "signalbox 0.1.0",
    description = "An OpenAI-compatible LLM routing gateway.")
public final class Main implements Runnable {
  /**
   * The subcommands, by name. A call that names one builds only that one: picocli reads each
   * command's annotations when it is added, its classes are too old for the JDK's start-up cache,
   * and reading all ten cost `serve` about 0.2 s of a one-core start.
   */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

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
    Optional<ServeCommand> serve = PlainServeArguments.read(args);
    System.exit(serve.isPresent() ? run(serve.get()) : commandLine(args).execute(args));
  }

  /** A serve command read without picocli, run as picocli would run it. */
  private static int run(ServeCommand serve) {
    PrintWriter out = new PrintWriter(System.out, true, System.out.charset());
    PrintWriter err = new PrintWriter(System.err, true, System.err.charset());
    try {
      return serve.serve(out, err);
    } catch (Exception e) {
      e.printStackTrace(err);
      return 1;
    }
  }

  /**
   * The command line for {@code args}: only the subcommand they name, or all when they name none.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine line = new CommandLine(new Main());
    Supplier<Object> named = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
    if (named != null) {
      line.addSubcommand(named.get());
    } else {
      SUBCOMMANDS.values().forEach(command -> line.addSubcommand(command.get()));
      line.addSubcommand(new CommandLine.HelpCommand());
    }
    return line;
  }

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
    commands.put("serve", ServeCommand::new);
    commands.put("validate", ValidateCommand::new);
    commands.put("traces", TracesCommand::new);
    commands.put("eval", EvalCommand::new);
    commands.put("replay", ReplayCommand::new);
    commands.put("feedback", FeedbackCommand::new);
    commands.put("train", TrainCommand::new);
    commands.put("config", ConfigCommand::new);
    commands.put("warm-up", WarmUpCommand::new);
    return Collections.unmodifiableMap(commands);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
