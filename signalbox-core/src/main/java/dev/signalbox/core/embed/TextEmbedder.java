package dev.signalbox.core.embed;

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
}
