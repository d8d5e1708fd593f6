package dev.signalbox.core.embed;

import java.util.ArrayList;
import java.util.List;

/** Turns text into a unit-length vector; the same text always gives the same vector. */
public interface TextEmbedder {
  /** The id an artifact records, so that vectors of another model are never mixed with these. */
  String modelId();

  float[] embed(String text);

  /** Many texts at once, in order; implementations batch them. */
  default List<float[]> embedAll(List<String> texts) {
    return texts.stream().map(this::embed).toList();
  }

  /**
   * The spans of {@code text} given as start and end offsets in turn, embedded apart and averaged
   * to unit length; one span is embedded as it is.
   */
  default float[] embed(String text, int[] spans) {
    if (spans.length == 2) {
      return embed(text.substring(spans[0], spans[1]));
    }
    List<String> parts = new ArrayList<>(spans.length / 2);
    for (int i = 0; i < spans.length; i += 2) {
      parts.add(text.substring(spans[i], spans[i + 1]));
    }
    return Vectors.meanDirection(embedAll(parts));
  }
}
