package dev.signalbox.core.text;

import dev.signalbox.api.TextWindow;
import java.util.Set;

/**
 * The windows a learned route may embed through (its {@code window} and {@code prefixes}): the
 * text's start, its end, chunks over all of it, each optionally after the prefixes its training
 * data shared. Windows are measured in characters: {@link #WINDOW_CHARS} is about the 256 word
 * pieces the encoder reads of English text.
 */
public final class TextWindows {
  public static final String HEAD = "head";
  public static final String TAIL = "tail";
  public static final String CHUNKS = "chunks";
  public static final Set<String> KINDS = Set.of(HEAD, TAIL, CHUNKS);

  /** About 256 word pieces of English. */
  static final int WINDOW_CHARS = 1_024;

  /** Chunks past this many are spread evenly over the text instead: the cost stays bounded. */
  static final int MAX_CHUNKS = 8;

  private static final TextWindow TAIL_WINDOW = named(TAIL, TextWindows::tail);
  private static final TextWindow CHUNKS_WINDOW = named(CHUNKS, TextWindows::chunks);

  private TextWindows() {}

  /**
   * The window named {@code kind}, after {@code prefixes} when there are any; made once per kind
   * and prefix set, since a learned route asks for it on every decision.
   */
  public static TextWindow of(String kind, SharedPrefixes prefixes) {
    TextWindow window =
        switch (kind) {
          case HEAD -> TextWindow.WHOLE;
          case TAIL -> TAIL_WINDOW;
          case CHUNKS -> CHUNKS_WINDOW;
          default ->
              throw new IllegalArgumentException(
                  "unknown window '" + kind + "' (known: head, tail, chunks)");
        };
    return prefixes.isEmpty()
        ? window
        : prefixes.windowAfter(kind, () -> afterPrefixes(prefixes, window));
  }

  private interface Cut {
    int[] spans(String text);
  }

  private static TextWindow named(String name, Cut cut) {
    return new TextWindow() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public int[] spans(String text) {
        return cut.spans(text);
      }
    };
  }

  /** The last {@link #WINDOW_CHARS} characters, from a word's start. */
  static int[] tail(String text) {
    if (text.length() <= WINDOW_CHARS) {
      return new int[] {0, text.length()};
    }
    return new int[] {wordStart(text, text.length() - WINDOW_CHARS), text.length()};
  }

  /**
   * Consecutive windows over the whole text, each from a word's start; a text longer than {@link
   * #MAX_CHUNKS} windows is cut into that many longer chunks, of which the encoder reads each one's
   * start.
   */
  static int[] chunks(String text) {
    int length = text.length();
    int size = Math.max(WINDOW_CHARS, (length + MAX_CHUNKS - 1) / MAX_CHUNKS);
    int count = Math.max(1, (length + size - 1) / size);
    int[] spans = new int[count * 2];
    int start = 0;
    for (int c = 0; c < count; c++) {
      int end = c == count - 1 ? length : wordStart(text, (c + 1) * size);
      spans[2 * c] = start;
      spans[2 * c + 1] = Math.max(start, end);
      start = spans[2 * c + 1];
    }
    return spans;
  }

  /** {@code at}, or later so that it is the start of a word (or the text's end). */
  private static int wordStart(String text, int at) {
    int i = at;
    while (i < text.length() && i > 0 && !Character.isWhitespace(text.charAt(i - 1))) {
      i++;
    }
    return i;
  }

  private static TextWindow afterPrefixes(SharedPrefixes prefixes, TextWindow then) {
    String name = (then.name().isEmpty() ? HEAD : then.name()) + ",after:" + prefixes.digest();
    return named(
        name,
        text -> {
          int offset = prefixes.end(text);
          int[] spans = then.spans(offset == 0 ? text : text.substring(offset));
          for (int i = 0; i < spans.length; i++) {
            spans[i] += offset;
          }
          return spans;
        });
  }

  /** What a trace says was embedded: the spans' offsets and the text's length, never the text. */
  public static String describe(int[] spans, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < spans.length; i += 2) {
      if (i > 0) {
        text.append(',');
      }
      text.append(spans[i]).append('-').append(spans[i + 1]);
    }
    return text.append(" of ").append(length).toString();
  }
}
