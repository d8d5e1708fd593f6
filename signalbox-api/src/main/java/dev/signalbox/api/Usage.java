package dev.signalbox.api;

/**
 * Token counts of one completion. {@code estimated} is true when the upstream did not report them
 * and the gateway counted them itself.
 */
public record Usage(
    long promptTokens, long cachedPromptTokens, long completionTokens, boolean estimated) {
  public static final Usage ZERO = new Usage(0, 0, 0, false);

  public Usage {
    if (promptTokens < 0 || cachedPromptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
