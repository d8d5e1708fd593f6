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
    return encoder.isEmpty() || encoder.equals(EncoderModel.MINILM.name())
        ? key
        : key + "|" + encoder;
  }

  /**
   * The text's embedding through {@code window}, and what was read: the spans and the text's length
   * ({@link TextWindows#describe}).
   */
  public record Read(float[] vector, String spans) {}

  public static Read embed(TextEmbedder embedder, String text, TextWindow window) {
    int[] spans = window.spans(text);
    return new Read(embedder.embed(text, spans), TextWindows.describe(spans, text.length()));
  }

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
