package dev.signalbox.eval.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/** The data formats {@code eval} reads, by the name given to {@code --format}. */
public enum DatasetFormat {
  OUTCOMES(OutcomesReader::new),
  ROUTELLM(RouteLlmReader::new),
  LLMROUTER(LlmRouterReader::new);

  private final Supplier<DatasetReader> reader;

  DatasetFormat(Supplier<DatasetReader> reader) {
    this.reader = reader;
  }

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public DatasetReader reader() {
    return reader.get();
  }

  public static Optional<DatasetFormat> named(String name) {
    return Arrays.stream(values()).filter(f -> f.key().equals(name)).findFirst();
  }

  /** The format a path looks like when none is given: a folder of RouteLLM or LLMRouter files, else outcomes. */
  public static DatasetFormat guess(Path path) {
    if (Files.isDirectory(path)) {
      if (Files.isDirectory(path.resolve("dcrouter_preprocessed")) || Files.isRegularFile(path.resolve("test.json"))) {
        return LLMROUTER;
      }
      return ROUTELLM;
    }
    return OUTCOMES;
  }
}
