package dev.signalbox.core.config;

/** What a model can do beyond plain text chat; requests that need one exclude models without it. */
public enum Capability {
  TOOLS("tools"),
  VISION("vision"),
  JSON_SCHEMA("json-schema"),
  ASSISTANT_PREFILL("assistant-prefill");

  private final String key;

  Capability(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }
}
