package dev.signalbox.core.routing;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.ContentPart;
import dev.signalbox.api.ToolCall;
import dev.signalbox.api.ToolDefinition;
import java.util.List;

/**
 * Counts tokens with the cl100k_base tokenizer, following OpenAI's per-message accounting. Text longer
 * than {@link #EXACT_LIMIT_CHARS} is estimated at four characters a token rather than tokenized, so
 * that counting stays cheap on the request path.
 */
public final class TokenCounter {
  public static final int EXACT_LIMIT_CHARS = 64 * 1024;
  private static final int PER_MESSAGE = 3;
  private static final int REPLY_PRIMING = 3;
  private static final int PER_IMAGE = 85;

  private static final TokenCounter INSTANCE = new TokenCounter();

  private final Encoding encoding;

  private TokenCounter() {
    this.encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  }

  public static TokenCounter shared() {
    return INSTANCE;
  }

  public int count(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    if (text.length() > EXACT_LIMIT_CHARS) {
      return (text.length() + 3) / 4;
    }
    return encoding.countTokensOrdinary(text);
  }

  public long countPrompt(List<ChatMessage> messages, List<ToolDefinition> tools) {
    long total = REPLY_PRIMING;
    for (ChatMessage message : messages) {
      total += PER_MESSAGE;
      for (ContentPart part : message.content()) {
        total +=
            switch (part) {
              case ContentPart.Text text -> count(text.text());
              case ContentPart.Image image -> PER_IMAGE;
              case ContentPart.Other other -> 0;
            };
      }
      for (ToolCall call : message.toolCalls()) {
        total += count(call.name()) + count(call.arguments());
      }
    }
    for (ToolDefinition tool : tools) {
      total += count(tool.name()) + count(tool.description()) + count(tool.parameters().toString());
    }
    return total;
  }
}
