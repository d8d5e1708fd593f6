package dev.signalbox.eval;

import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.learn.BanditLearners;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.policy.EvalContext;

/**
 * What evaluation and replay tests build on: the policies on the class path, a token counter, and
 * the real MiniLM embeddings, loaded once for the test run and only when a test reads one.
 */
public final class EvalFixtures {
  private static final PolicyRegistry POLICIES = PolicyRegistry.load();
  private static final TokenCounter TOKENS = new TokenCounter();
  private static final SignalSources SIGNALS =
      new SignalSources(TOKENS, Embeddings.offlineOnDemand());

  private EvalFixtures() {}

  public static PolicyRegistry policies() {
    return POLICIES;
  }

  public static TokenCounter tokens() {
    return TOKENS;
  }

  public static SignalSources signals() {
    return SIGNALS;
  }

  /** Learned routes from their artifact files, learners that apply feedback at once. */
  public static PolicyServices services() {
    return PolicyServices.of(
        SIGNALS, ArtifactSource.files(SentenceEncoder.MODEL_ID, new BanditLearners(Runnable::run)));
  }

  public static EvalContext context(Dataset data, long seed) {
    return new EvalContext(data, seed, SIGNALS, POLICIES);
  }
}
