package dev.signalbox.core.routing;

import dev.signalbox.core.config.Capability;
import dev.signalbox.core.config.ModelSpec;
import java.util.Optional;

/** Removes a candidate model the request cannot use, with the reason. */
interface EligibilityFilter {
  /** Why {@code model} cannot serve this request, or empty when it can. */
  Optional<String> exclude(ModelSpec model, RoutingSignals signals);

  /** Tokenizes only when the prompt's byte-size bound does not already prove that it fits. */
  /**
   * An embeddings request is not held to the window: its inputs are joined for routing, while an
   * upstream limits each input on its own.
   */
  EligibilityFilter CONTEXT_WINDOW =
      (model, signals) -> {
        if (signals.wantsEmbeddings()
            || signals.promptTokensAtMost() + signals.maxOutputTokens() <= model.contextWindow()) {
          return Optional.empty();
        }
        long needed = signals.promptTokens() + signals.maxOutputTokens();
        return needed > model.contextWindow()
            ? Optional.of("context " + model.contextWindow() + " < " + needed + " tokens")
            : Optional.empty();
      };

  EligibilityFilter CAPABILITIES =
      (model, signals) -> {
        boolean embeddingModel = model.capabilities().contains(Capability.EMBEDDINGS);
        if (signals.wantsEmbeddings() != embeddingModel) {
          return Optional.of(embeddingModel ? "an embedding model" : "no embeddings");
        }
        if (signals.hasTools() && !model.capabilities().contains(Capability.TOOLS)) {
          return Optional.of("no tools support");
        }
        if (signals.hasImages() && !model.capabilities().contains(Capability.VISION)) {
          return Optional.of("no vision support");
        }
        if (signals.needsJsonSchema() && !model.capabilities().contains(Capability.JSON_SCHEMA)) {
          return Optional.of("no json-schema output");
        }
        return Optional.empty();
      };
}
