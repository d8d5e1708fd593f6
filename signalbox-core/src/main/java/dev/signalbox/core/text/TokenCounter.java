package dev.signalbox.core.text;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ContentPart;
import dev.signalbox.api.ToolCall;
import dev.signalbox.api.ToolDefinition;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Counts tokens with the cl100k_base tokenizer, following OpenAI's per-message accounting. Text
 * longer than {@link #EXACT_LIMIT_CHARS} is estimated at four characters a token rather than
 * tokenized, so that counting stays cheap on the request path. The vocabulary is read on the first
 * count, not at start: reading it allocates about 45 MB and took a fifth of a second of a one-core
 * start, and a gateway whose upstreams report usage may never need it.
 */
public final class TokenCounter {
  public static final int EXACT_LIMIT_CHARS = 64 * 1024;
  private static final int PER_MESSAGE = 3;
  private static final int REPLY_PRIMING = 3;
  private static final int PER_IMAGE = 85;

  /** Holds the vocabulary, read when the class is first used; shared by every counter. */
  private static final class Cl100k {
    static final Encoding ENCODING =
        Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  }

  public int count(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    if (text.length() > EXACT_LIMIT_CHARS) {
      return (text.length() + 3) / 4;
    }
    return Cl100k.ENCODING.countTokensOrdinary(text);
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
