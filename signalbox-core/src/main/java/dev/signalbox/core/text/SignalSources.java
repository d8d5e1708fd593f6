package dev.signalbox.core.text;

import dev.signalbox.core.embed.TextEmbedder;
import java.util.function.Supplier;

/**
 * What a request's signals are computed with: the token counter, and the embeddings, asked for only
 * when a route reads one (so the model loads only then).
 */
public record SignalSources(TokenCounter tokens, Supplier<? extends TextEmbedder> embeddings) {
  /**
   * Token counting only: reading an embedding is a mistake (a route that reads one needs real
   * ones).
   */
  public static SignalSources tokensOnly(TokenCounter tokens) {
    return new SignalSources(
        tokens,
        () -> {
          throw new IllegalStateException("no embeddings here: give the signals an embedder");
        });
  }
}
