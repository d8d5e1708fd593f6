package dev.signalbox.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The common {@code serve} command lines read without picocli: {@code serve --config FILE} with
 * {@code --port N} and {@code --warm-up N}, each at most once, in any order, values as plain as
 * they come. picocli's classes are too old a format for the JDK's start-up cache, and loading them
 * and building its model delayed a one-core start's first answer by 0.2 s at the median (0.02-0.28
 * s in seven paired rounds, docs/results/startup-plain-serve-20261205.txt). Anything else (help,
 * another spelling, a value picocli would have to judge) is declined and goes to picocli, which
 * stays the command line's one definition: a test holds this reading to picocli's on every form it
 * accepts.
 */
final class PlainServeArguments {
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");

  private PlainServeArguments() {}

  /** The serve command {@code args} ask for, or empty when picocli should read them. */
  static Optional<ServeCommand> read(String[] args) {
    if (args.length < 3 || args.length % 2 == 0 || !args[0].equals("serve")) {
      return Optional.empty();
    }
    ServeCommand serve = new ServeCommand();
    Set<String> seen = new HashSet<>();
    for (int i = 1; i < args.length; i += 2) {
      String option = args[i];
      String value = args[i + 1];
      if (!seen.add(option) || value.isEmpty() || value.startsWith("-")) {
        return Optional.empty();
      }
      switch (option) {
        case "--config" -> serve.configFile = Path.of(value);
        case "--port", "--warm-up" -> {
          if (!NUMBER.matcher(value).matches()) {
            return Optional.empty();
          }
          if (option.equals("--port")) {
            serve.port = Integer.parseInt(value);
          } else {
            serve.warmUp = Integer.parseInt(value);
          }
        }
        default -> {
          return Optional.empty();
        }
      }
    }
    return serve.configFile == null ? Optional.empty() : Optional.of(serve);
  }
}
