package dev.signalbox.core.embed;

import java.util.List;
import java.util.Optional;

/**
 * A sentence encoder a learned route may embed with ({@code encoder:}): its name in configs, the id
 * artifacts record, the ONNX model and tokenizer read from the class path (the langchain4j model
 * jars on Maven Central; their code is not used), and the text put before every input, as the model
 * was trained to read it.
 */
public record EncoderModel(
    String name, String id, String modelResource, String tokenizerResource, String inputPrefix) {
  /** all-MiniLM-L6-v2, quantized: 6 layers, the small default. */
  public static final EncoderModel MINILM =
      new EncoderModel(
          "minilm",
          "all-MiniLM-L6-v2-q@langchain4j-1.20.0-beta30",
          "/all-minilm-l6-v2-q.onnx",
          "/all-minilm-l6-v2-q-tokenizer.json",
          "");

  /**
   * e5-small-v2, quantized: 12 layers, about twice MiniLM's cost. E5 reads every text of a
   * symmetric task as a query ("query: ", Wang et al. 2022, the model card's advice).
   */
  public static final EncoderModel E5_SMALL =
      new EncoderModel(
          "e5-small",
          "e5-small-v2-q@langchain4j-0.36.2",
          "/e5-small-v2-q.onnx",
          "/e5-small-v2-q-tokenizer.json",
          "query: ");

  public static final List<EncoderModel> ALL = List.of(MINILM, E5_SMALL);

  public static EncoderModel named(String name) {
    return ALL.stream()
        .filter(model -> model.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown encoder '" + name + "' (known: minilm, e5-small)"));
  }

  /** The encoder whose vectors an artifact records, when it is one of these. */
  public static Optional<EncoderModel> byId(String id) {
    return ALL.stream().filter(model -> model.id().equals(id)).findFirst();
  }

  public boolean isDefault() {
    return this.equals(MINILM);
  }

  /** Whether a route naming {@code name} (empty: none) reads the default encoder. */
  public static boolean isDefault(String name) {
    return name.isEmpty() || name.equals(MINILM.name());
  }
}
