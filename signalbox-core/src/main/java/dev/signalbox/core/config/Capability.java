package dev.signalbox.core.config;

import java.util.Locale;

/**
 * What a model can do beyond plain text chat; requests that need one exclude models without it. An
 * {@link #EMBEDDINGS} model is an embedding model: it serves embeddings requests and no chat.
 */
public enum Capability {
  TOOLS,
  VISION,
  JSON_SCHEMA,
  ASSISTANT_PREFILL,
  EMBEDDINGS;

  /** The name a config writes. */
  public String key() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
