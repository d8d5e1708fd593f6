package dev.signalbox.bench;

import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;

/** What the benchmarks build routers and signals with, as the gateway does. */
final class BenchSetup {
  static final PolicyRegistry POLICIES = PolicyRegistry.load();
  static final TokenCounter TOKENS = new TokenCounter();
  static final SignalSources SIGNALS = new SignalSources(TOKENS, Embeddings.servingOnDemand());

  private BenchSetup() {}

  static ConfigReader reader() {
    return new ConfigReader(POLICIES, name -> null);
  }

  static PolicyServices services(ArtifactSource artifacts) {
    return PolicyServices.of(SIGNALS, artifacts);
  }
}
