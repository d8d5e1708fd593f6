package dev.signalbox.api;

/**
 * Which spans of a text an embedding reads. The encoder reads the first 256 word pieces of each
 * span; spans read apart are averaged. A window is a pure function of the text, so a replayed
 * decision that must embed again reads what the served one read.
 */
public interface TextWindow {
  /** The whole text, read from its start: what the encoder alone does. */
  TextWindow WHOLE =
      new TextWindow() {
        @Override
        public String name() {
          return "";
        }

        @Override
        public int[] spans(String text) {
          return new int[] {0, text.length()};
        }
      };

  /**
   * What a trace calls this window: a name always cuts texts the same way. Empty for {@link
   * #WHOLE}, whose traces keep their older keys.
   */
  String name();

  /** The spans read, as start and end offsets in turn: {@code {start0, end0, start1, end1, …}}. */
  int[] spans(String text);
}
