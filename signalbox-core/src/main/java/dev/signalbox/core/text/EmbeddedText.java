package dev.signalbox.core.text;

import dev.signalbox.api.ChatMessage;
import dev.signalbox.api.Role;
import dev.signalbox.api.TextWindow;
import dev.signalbox.core.embed.EncoderModel;
import dev.signalbox.core.embed.TextEmbedder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which text of a conversation a route embeds, and how a vector is kept in a trace: base64 of its
 * little-endian float32 values, exact, so a replayed decision reads the very vector served.
 */
public final class EmbeddedText {
  public static final String LAST_USER = "last-user";
  public static final String USER = "user";
  public static final String CONVERSATION = "conversation";
  public static final Set<String> PARTS = Set.of(LAST_USER, USER, CONVERSATION);

  private EmbeddedText() {}

  public static String of(List<ChatMessage> messages, String part) {
    return switch (part) {
      case LAST_USER -> {
        for (int i = messages.size() - 1; i >= 0; i--) {
          if (messages.get(i).role() == Role.USER) {
            yield messages.get(i).text();
          }
        }
        yield "";
      }
      case USER ->
          messages.stream()
              .filter(m -> m.role() == Role.USER)
              .map(ChatMessage::text)
              .collect(Collectors.joining("\n"));
      case CONVERSATION ->
          messages.stream().map(ChatMessage::text).collect(Collectors.joining("\n"));
      default ->
          throw new IllegalArgumentException(
              "unknown part '" + part + "' (known: " + String.join(", ", PARTS) + ")");
    };
  }

  /**
   * The trace key of a part's embedding through {@code window} by {@code encoder} (empty: the
   * default, whose keys are as they always were).
   */
  public static String key(String part, TextWindow window, String encoder) {
    String key = window.name().isEmpty() ? part : part + "|" + window.name();
    return EncoderModel.isDefault(encoder) ? key : key + "|" + encoder;
  }

  /**
   * Embeds {@code text} through {@code window} and records, under {@code key} (a signal name
   * without its kind), the vector and, for a named window, what was read: the spans' offsets and
   * the text's length ({@link TextWindows#describe}), never the text.
   */
  public static float[] embed(
      TextEmbedder embedder, String text, TextWindow window, String key, Map<String, Object> read) {
    int[] spans = window.spans(text);
    float[] vector = embedder.embed(text, spans);
    read.put(EMBEDDING_SIGNAL + key, encode(vector));
    if (!window.name().isEmpty()) {
      read.put(EMBEDDED_SIGNAL + key, TextWindows.describe(spans, text.length()));
    }
    return vector;
  }

  /** The signal kinds an embedding is recorded under: its vector and the spans it read. */
  public static final String EMBEDDING_SIGNAL = "embedding:";

  public static final String EMBEDDED_SIGNAL = "embedded:";

  public static String encode(float[] vector) {
    ByteBuffer buffer =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(buffer.array());
  }

  public static float[] decode(String text) {
    ByteBuffer buffer =
        ByteBuffer.wrap(Base64.getDecoder().decode(text)).order(ByteOrder.LITTLE_ENDIAN);
    float[] vector = new float[buffer.remaining() / Float.BYTES];
    buffer.asFloatBuffer().get(vector);
    return vector;
  }
}
