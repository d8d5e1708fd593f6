package dev.signalbox.cli;

import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.embed.EmbeddingFile;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.embed.EncoderModel;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.learn.BanditLearners;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What every command is built from: the policies on the class path (built-in and plug-in), the
 * config readers, the embeddings and the services policies are built with. The command line is the
 * one place these are made; everything below takes them as arguments.
 */
final class Configs {
  private static PolicyRegistry policies;

  private Configs() {}

  /** The policies on the class path, found once per process. */
  static synchronized PolicyRegistry policies() {
    if (policies == null) {
      policies = PolicyRegistry.load();
    }
    return policies;
  }

  static ConfigReader reader() {
    return new ConfigReader(policies(), System::getenv);
  }

  /**
   * A reader for configs that are only routed offline, never served: upstream keys need not be set.
   */
  static ConfigReader offlineReader() {
    return new ConfigReader(policies(), name -> "unused-offline");
  }

  /**
   * Every encoder's offline embeddings (one text per model call, exact), each kept in its own file
   * of {@code cache} between runs; a model loads when a learned route first asks for it, never for
   * configs without one.
   */
  static SignalSources offlineSources(TokenCounter tokens, Path cache) {
    return SignalSources.everyEncoder(tokens, encoder -> offlineEmbeddings(cache, encoder));
  }

  private static Supplier<TextEmbedder> offlineEmbeddings(Path cache, EncoderModel encoder) {
    Supplier<Embeddings> model = Embeddings.offlineOnDemand(encoder);
    return new Supplier<>() {
      private TextEmbedder embedder;

      @Override
      public synchronized TextEmbedder get() {
        if (embedder == null) {
          EmbeddingFile file = EmbeddingFile.open(cache, encoder.id(), SentenceEncoder.DIMENSIONS);
          embedder = model.get().persistTo(file);
        }
        return embedder;
      }
    };
  }

  /**
   * What a recorded or validated config's policies are built with outside the gateway: exact
   * offline embeddings, learned routes' artifacts from their files, bandit learners that apply
   * feedback at once.
   */
  static PolicyServices offlineServices() {
    return PolicyServices.of(
        SignalSources.everyEncoder(new TokenCounter(), Embeddings::offlineOnDemand),
        ArtifactSource.files(SentenceEncoder.MODEL_ID, new BanditLearners(Runnable::run)));
  }
}
