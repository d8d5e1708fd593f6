package dev.signalbox.core.text;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ContentPart;
import dev.signalbox.api.ToolCall;
import dev.signalbox.api.ToolDefinition;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Counts tokens with the cl100k_base tokenizer, following OpenAI's per-message accounting. Text
 * longer than {@link #EXACT_LIMIT_CHARS} is estimated at four characters a token rather than
 * tokenized, so that counting stays cheap on the request path. The vocabulary is read on the first
 * count, not at start: reading it allocates about 45 MB and took a fifth of a second of a one-core
 * start, and a gateway whose upstreams report usage may never need it.
 *
 * <p>An agent sends its whole session again at every step: the same system prompt, tools and
 * history, with a message or two more. The counts of texts of {@link #REMEMBERED_MIN_CHARS} or more
 * are remembered (up to a number of characters, least useful first out), so that a step tokenizes
 * what is new in it. Tokenizing costs about 15 ns a character (TokenCountBenchmark), a look-up a
 * hash of the text; below 256 characters a text is counted each time, and one-off short messages do
 * not crowd out the long ones.
 */
public final class TokenCounter {
  public static final int EXACT_LIMIT_CHARS = 64 * 1024;

  /**
   * The characters of text whose counts a gateway remembers by default: 1-2 MB of a 112 MB heap
   * that may also hold an encoder. Ten 100 KB agent sessions; sessions of one agent share their
   * system prompt and tools, which stay while they are used.
   */
  public static final long DEFAULT_REMEMBERED_CHARS = 1024 * 1024;

  static final int REMEMBERED_MIN_CHARS = 256;
  private static final int PER_MESSAGE = 3;
  private static final int REPLY_PRIMING = 3;
  private static final int PER_IMAGE = 85;

  /** Holds the vocabulary, read when the class is first used; shared by every counter. */
  private static final class Cl100k {
    static final Encoding ENCODING =
        Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  }

  private final ToIntFunction<String> tokenizer;
  private final Cache<String, Integer> remembered;

  /** A counter that remembers {@link #DEFAULT_REMEMBERED_CHARS} characters of long texts. */
  public TokenCounter() {
    this(DEFAULT_REMEMBERED_CHARS);
  }

  /** A counter that remembers up to {@code rememberedChars} characters of long texts (0: none). */
  public TokenCounter(long rememberedChars) {
    this(text -> Cl100k.ENCODING.countTokensOrdinary(text), rememberedChars);
  }

  TokenCounter(ToIntFunction<String> tokenizer, long rememberedChars) {
    this.tokenizer = tokenizer;
    this.remembered =
        rememberedChars <= 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(rememberedChars)
                .<String, Integer>weigher((text, count) -> text.length())
                .executor(Runnable::run)
                .build();
  }

  public int count(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    if (text.length() > EXACT_LIMIT_CHARS) {
      return (text.length() + 3) / 4;
    }
    if (remembered == null || text.length() < REMEMBERED_MIN_CHARS) {
      return tokenizer.applyAsInt(text);
    }
    // Not get(text, tokenizer): that tokenizes under the map's lock, and a caller on the event
    // loop must never wait for another's count. Two callers may both count a new text once.
    Integer known = remembered.getIfPresent(text);
    if (known != null) {
      return known;
    }
    int counted = tokenizer.applyAsInt(text);
    remembered.put(text, counted);
    return counted;
  }

  /** The characters of text whose counts are remembered now. */
  long rememberedChars() {
    if (remembered == null) {
      return 0;
    }
    remembered.cleanUp();
    return remembered.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /**
   * A bound no exact count can pass: every token of cl100k_base is at least one byte, so a prompt
   * has at most as many tokens as its text has UTF-8 bytes, plus the same per-message overheads.
   * Costs one pass over the characters, no tokenizing.
   */
  public long upperBound(List<ChatMessage> messages, List<ToolDefinition> tools) {
    return measure(messages, tools, TokenCounter::utf8Length);
  }

  public long countPrompt(List<ChatMessage> messages, List<ToolDefinition> tools) {
    return measure(messages, tools, this::count);
  }

  /** OpenAI's per-message accounting, with {@code text} measuring each piece of text. */
  private static long measure(
      List<ChatMessage> messages, List<ToolDefinition> tools, ToLongFunction<String> text) {
    long total = REPLY_PRIMING;
    for (ChatMessage message : messages) {
      total += PER_MESSAGE;
      for (ContentPart part : message.content()) {
        total +=
            switch (part) {
              case ContentPart.Text t -> text.applyAsLong(t.text());
              case ContentPart.Image image -> PER_IMAGE;
              case ContentPart.Other other -> 0;
            };
      }
      for (ToolCall call : message.toolCalls()) {
        total += text.applyAsLong(call.name()) + text.applyAsLong(call.arguments());
      }
    }
    for (ToolDefinition tool : tools) {
      total +=
          text.applyAsLong(tool.name())
              + text.applyAsLong(tool.description())
              + text.applyAsLong(tool.parameters().toString());
    }
    return total;
  }

  static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
