package dev.signalbox.core.embed;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * An encoder whose top layers were fine-tuned on routing outcomes ({@code signalbox-tune}): the
 * tuned weights by their names in {@link #BASE}'s ONNX file, which they replace value for value. It
 * is named by a hash of those weights, so one name is always one model, whichever process loads it.
 */
public final class TunedLayers {
  public static final EncoderModel BASE = EncoderModel.MINILM_FULL_128;

  private final Map<String, float[]> weights;
  private final String hash;

  public TunedLayers(Map<String, float[]> weights) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("a tuned encoder has at least one tuned weight");
    }
    this.weights = new TreeMap<>(weights);
    this.hash = hash(this.weights);
  }

  private static String hash(Map<String, float[]> weights) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      weights.forEach(
          (name, values) -> {
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            ByteBuffer bytes =
                ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            digest.update(bytes);
          });
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The tuned weights by name, sorted by name. */
  public Map<String, float[]> weights() {
    return weights;
  }

  /** The encoder's name in routes' signals and traces: {@code tuned-} and 16 hex digits. */
  public String name() {
    return "tuned-" + hash;
  }

  /** The encoder: {@link #BASE}'s tokenizer and reading, this model's own name and id. */
  public EncoderModel model() {
    return new EncoderModel(
        name(),
        BASE.id() + "+tuned-" + hash,
        BASE.modelResource(),
        BASE.tokenizerResource(),
        BASE.inputPrefix(),
        BASE.maxWordPieces());
  }

  /** {@link #BASE}'s ONNX file with these weights in place, for ONNX Runtime to run. */
  public byte[] onnx() {
    return OnnxModel.read(baseModel()).withFloats(weights);
  }

  /**
   * Writes {@link #BASE}'s ONNX file with these weights in place to {@code file}, streamed: the 90
   * MB model never sits in the heap whole, which a serving gateway's 144 MB could not hold twice.
   */
  public void writeOnnx(Path file) {
    try {
      try (InputStream in = SentenceEncoder.resourceStream(BASE.modelResource())) {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      Map<String, OnnxModel.Initializer> places;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
        places = OnnxModel.initializers(in);
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        OnnxModel.overwrite(channel, places, weights);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #BASE}'s ONNX file, from the class path: what tuning starts from. */
  public static byte[] baseModel() {
    try {
      return SentenceEncoder.resource(BASE.modelResource());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TunedLayers layers && layers.hash.equals(hash);
  }

  @Override
  public int hashCode() {
    return hash.hashCode();
  }

  @Override
  public String toString() {
    return name() + " (" + weights.size() + " tensors)";
  }
}
