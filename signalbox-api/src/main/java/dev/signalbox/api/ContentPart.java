package dev.signalbox.api;

import java.util.Objects;

/** One part of a message's content: text, an image, or a kind passed through untouched. */
public sealed interface ContentPart {

  /** Plain text. */
  record Text(String text) implements ContentPart {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** An image by URL or data URL, with OpenAI's optional detail level ("" when absent). */
  record Image(String url, String detail) implements ContentPart {
    public Image {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * A part this gateway does not interpret (audio, file); OpenAI-compatible upstreams get it as
   * sent.
   */
  record Other(String type) implements ContentPart {
    public Other {
      Objects.requireNonNull(type, "type");
    }
  }
}
