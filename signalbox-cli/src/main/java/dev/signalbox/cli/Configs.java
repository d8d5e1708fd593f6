package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.embed.EmbeddingFile;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.routing.PolicyRegistry;
import java.nio.file.Path;
import java.util.function.Supplier;

/** The config reader every command uses: built-in policies, the process environment. */
final class Configs {
  private Configs() {}

  static ConfigReader reader() {
    return new ConfigReader(PolicyRegistry.builtIn().names(), System::getenv);
  }

  /**
   * A reader for configs that are only routed offline, never served: upstream keys need not be set.
   */
  static ConfigReader offlineReader() {
    return new ConfigReader(PolicyRegistry.builtIn().names(), name -> "unused-offline");
  }

  /**
   * The offline embeddings (one text per model call, exact), kept in {@code cache} between runs;
   * the model loads when a learned route first asks, never for configs without one.
   */
  static Supplier<TextEmbedder> offlineEmbeddings(Path cache) {
    return new Supplier<>() {
      private TextEmbedder embedder;

      @Override
      public synchronized TextEmbedder get() {
        if (embedder == null) {
          EmbeddingFile file =
              EmbeddingFile.open(cache, SentenceEncoder.MODEL_ID, SentenceEncoder.DIMENSIONS);
          embedder = Embeddings.offline().persistTo(file);
        }
        return embedder;
      }
    };
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
