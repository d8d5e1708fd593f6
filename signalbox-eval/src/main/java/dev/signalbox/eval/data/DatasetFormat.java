package dev.signalbox.eval.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
  LLMROUTER(LlmRouterReader::new),
  TRACES(TracesReader::new);

  @SuppressWarnings("ImmutableEnumChecker") // Each supplier makes a new reader; none holds state.
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

  /**
   * The format a path looks like when none is given: a folder of RouteLLM or LLMRouter files, an
   * SQLite file (a trace store), else outcomes.
   */
  public static DatasetFormat guess(Path path) {
    if (isSqlite(path)) {
      return TRACES;
    }
    if (Files.isDirectory(path)) {
      if (Files.isDirectory(path.resolve("dcrouter_preprocessed"))
          || Files.isRegularFile(path.resolve("test.json"))) {
        return LLMROUTER;
      }
      return ROUTELLM;
    }
    return OUTCOMES;
  }

  private static boolean isSqlite(Path path) {
    if (!Files.isRegularFile(path)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(path)) {
      return new String(in.readNBytes(16), StandardCharsets.US_ASCII).equals("SQLite format 3\0");
    } catch (IOException e) {
      return false;
    }
  }
}
