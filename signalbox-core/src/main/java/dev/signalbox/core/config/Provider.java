package dev.signalbox.core.config;

/** The protocol a deployment speaks. */
public enum Provider {
  /** Any OpenAI-compatible chat completions endpoint: OpenAI, Azure-style, vLLM, Ollama, Groq. */
  OPENAI,
  /** Anthropic's Messages API. */
  ANTHROPIC,
  /** An in-process simulated model, deterministic under a seed. */
  SIM,
  /**
   * Answers recorded elsewhere (an outcomes file or a trace store), replayed with their recorded or
   * simulated latency, so the whole gateway can be driven over real prompts without a provider.
   */
  REPLAY
}
