package dev.signalbox.core.policy;

import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import java.util.function.Supplier;

/**
 * What policies are built with besides a config: the embeddings (asked for only by a policy that
 * reads them, so the model loads only then), the token counter, and where learned routes' artifacts
 * and bandit learners come from: the route's files when serving, a fit of the fold in {@code eval}.
 */
public record PolicyServices(
    Supplier<? extends TextEmbedder> embeddings, TokenCounter tokens, ArtifactSource artifacts) {

  public static PolicyServices of(SignalSources sources, ArtifactSource artifacts) {
    return new PolicyServices(sources.embeddings(), sources.tokens(), artifacts);
  }

  /** What a request's signals are computed with, the same token counter and embeddings. */
  public SignalSources signals() {
    return new SignalSources(tokens, embeddings);
  }
}
