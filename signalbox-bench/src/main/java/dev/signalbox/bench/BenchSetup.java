package dev.signalbox.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.wire.Json;

/** What the benchmarks build routers and signals with, as the gateway does. */
final class BenchSetup {
  static final PolicyRegistry POLICIES = PolicyRegistry.load();
  static final TokenCounter TOKENS = new TokenCounter();
  static final SignalSources SIGNALS = new SignalSources(TOKENS, Embeddings.servingOnDemand());

  private BenchSetup() {}

  static ConfigReader reader() {
    return new ConfigReader(POLICIES, name -> null);
  }

  /** The in-process upstream's answer: a short chat completion with its usage. */
  static UpstreamReply shortAnswer() {
    ObjectNode completion = Json.object().put("id", "chatcmpl-1").put("object", "chat.completion");
    completion.put("model", "bench");
    completion
        .putArray("choices")
        .addObject()
        .put("index", 0)
        .put("finish_reason", "stop")
        .putObject("message")
        .put("role", "assistant")
        .put("content", "A short answer.");
    return new UpstreamReply.Completed(completion, new Usage(12, 0, 7, false), "stop");
  }

  static PolicyServices services(ArtifactSource artifacts) {
    return PolicyServices.of(SIGNALS, artifacts);
  }
}
