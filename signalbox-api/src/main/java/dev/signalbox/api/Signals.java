package dev.signalbox.api;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a policy may know of a request. Values are computed when first read, and the values read are
 * recorded in the decision trace, so that the decision can be replayed from the trace alone. A
 * policy that only needs to know whether the text matches asks {@link #firstKeyword} or {@link
 * #matches}: their answers are recorded, where the text itself is not.
 */
public interface Signals {
  long promptTokens();

  /**
   * At least {@link #promptTokens}, and cheaper: the gateway's bound (a prompt has at most as many
   * tokens as UTF-8 bytes) costs no tokenizing, so a policy comparing with a threshold asks this
   * first and counts only when the bound leaves it in doubt. By default the exact count.
   */
  default long promptTokensAtMost() {
    return promptTokens();
  }

  /** The request's max_tokens or max_completion_tokens, or the route's default when absent. */
  long maxOutputTokens();

  String lastUserText();

  /**
   * The first of {@code keywords} (lower case) that the last user message contains, ignoring case.
   */
  Optional<String> firstKeyword(List<String> keywords);

  /** Whether {@code regex} finds a match in the last user message. */
  boolean matches(Pattern regex);

  int turns();

  boolean hasTools();

  boolean hasImages();

  Optional<String> header(String name);

  String tenant();

  /**
   * The last user message's language as an ISO 639-1 code, or {@code und} when it cannot be told.
   */
  String language();

  /**
   * The unit-length sentence embedding of a part of the conversation: {@code last-user} (the last
   * user message), {@code user} (every user message) or {@code conversation} (every message), as
   * the embedding model reads it (its first 256 word pieces).
   */
  default float[] embedding(String part) {
    return embedding(part, TextWindow.WHOLE, "");
  }

  /**
   * The embedding of the spans of a part that {@code window} picks, averaged and of unit length, by
   * the sentence encoder named {@code encoder} (empty: the default encoder). An encoder's vectors
   * are never compared with another's.
   */
  float[] embedding(String part, TextWindow window, String encoder);
}
