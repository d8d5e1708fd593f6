package dev.signalbox.core.policy;

import dev.signalbox.api.Candidate;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.embed.TextEmbedder;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.text.TokenCounter;
import java.util.List;
import java.util.function.Supplier;

/** What a policy is built with beyond its spec: the config it serves in, and the services. */
public record PolicyContext(GatewayConfig config, PolicyServices services) {

  /** The route's models as policies see them, in the route's order. */
  public List<Candidate> candidates(RouteSpec route) {
    return route.models().stream().map(m -> config.model(m).orElseThrow().candidate()).toList();
  }

  public Supplier<? extends TextEmbedder> embeddings() {
    return services.embeddings();
  }

  public TokenCounter tokens() {
    return services.tokens();
  }

  public ArtifactSource artifacts() {
    return services.artifacts();
  }
}
