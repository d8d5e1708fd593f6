package dev.signalbox.core.gateway;

/**
 * The API a request came in by. Every ingress shares one path; a trace of a request that did not
 * come as chat completions carries its ingress as a flag ({@code ingress:anthropic-messages}).
 */
public enum Ingress {
  CHAT_COMPLETIONS("chat-completions"),
  ANTHROPIC_MESSAGES("anthropic-messages"),
  OPENAI_RESPONSES("openai-responses"),
  OPENAI_EMBEDDINGS("openai-embeddings");

  /** The trace flag of a request in another protocol that its upstream received as sent. */
  public static final String PASSED_THROUGH = "wire:passthrough";

  /** The trace flag of a request in another protocol translated to and from chat completions. */
  public static final String TRANSLATED = "wire:translated";

  private final String key;

  Ingress(String key) {
    this.key = key;
  }

  /** The trace flag of this ingress. */
  public String flag() {
    return "ingress:" + key;
  }
}
