package dev.signalbox.core.gateway;

/**
 * The API a request came in by. Every ingress shares one path; a trace of a request that did not
 * come as chat completions carries its ingress as a flag ({@code ingress:anthropic-messages}).
 */
public enum Ingress {
  CHAT_COMPLETIONS("chat-completions"),
  ANTHROPIC_MESSAGES("anthropic-messages"),
  OPENAI_RESPONSES("openai-responses");

  private final String key;

  Ingress(String key) {
    this.key = key;
  }

  /** The trace flag of this ingress. */
  public String flag() {
    return "ingress:" + key;
  }
}
