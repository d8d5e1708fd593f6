package dev.signalbox.core.embed;

import java.util.List;
import java.util.Optional;

/**
 * A sentence encoder a learned route may embed with ({@code encoder:}): its name in configs, the id
 * artifacts record, the ONNX model and tokenizer read from the class path (the langchain4j model
 * jars on Maven Central; their code is not used), the text put before every input, as the model was
 * trained to read it, and how many word pieces of a text it reads (special tokens included).
 */
public record EncoderModel(
    String name,
    String id,
    String modelResource,
    String tokenizerResource,
    String inputPrefix,
    int maxWordPieces) {
  /** all-MiniLM-L6-v2, quantized: 6 layers, the small default. */
  public static final EncoderModel MINILM =
      new EncoderModel(
          "minilm",
          "all-MiniLM-L6-v2-q@langchain4j-1.20.0-beta30",
          "/all-minilm-l6-v2-q.onnx",
          "/all-minilm-l6-v2-q-tokenizer.json",
          "",
          256);

  /**
   * The same model reading the first 128 word pieces: a prompt at the cap costs half, which
   * shortens a learned route's tail on a busy core, for routes' quality on the shared data within
   * 0.006 of the default's (docs/evaluation.md, "What a learned route embeds"). Its own id, so its
   * vectors are never mistaken for the default's.
   */
  public static final EncoderModel MINILM_128 =
      new EncoderModel(
          "minilm-128",
          "all-MiniLM-L6-v2-q-128@langchain4j-1.20.0-beta30",
          "/all-minilm-l6-v2-q.onnx",
          "/all-minilm-l6-v2-q-tokenizer.json",
          "",
          128);

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
          "query: ",
          256);

  /**
   * all-MiniLM-L6-v2 in full precision reading 128 word pieces: what fine-tuning starts from
   * ({@link TunedLayers}). Not a choice of its own for a route: a tuned encoder is.
   */
  public static final EncoderModel MINILM_FULL_128 =
      new EncoderModel(
          "minilm-full-128",
          "all-MiniLM-L6-v2-128@langchain4j-1.20.0-beta30",
          "/all-minilm-l6-v2.onnx",
          "/all-minilm-l6-v2-tokenizer.json",
          "",
          128);

  public static final List<EncoderModel> ALL = List.of(MINILM, MINILM_128, E5_SMALL);

  public static EncoderModel named(String name) {
    return ALL.stream()
        .filter(model -> model.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown encoder '"
                        + name
                        + "' (known: "
                        + String.join(", ", ALL.stream().map(EncoderModel::name).toList())
                        + ")"));
  }

  /** The encoder whose vectors an artifact records, when it is one of these. */
  public static Optional<EncoderModel> byId(String id) {
    return ALL.stream().filter(model -> model.id().equals(id)).findFirst();
  }

  /**
   * The most of a text the tokenizer is given: 12 characters per word piece read (a word piece of
   * real text spans 3-5 characters with its space).
   */
  public int readChars() {
    return 12 * maxWordPieces;
  }

  public boolean isDefault() {
    return this.equals(MINILM);
  }

  /** Whether a route naming {@code name} (empty: none) reads the default encoder. */
  public static boolean isDefault(String name) {
    return name.isEmpty() || name.equals(MINILM.name());
  }
}
