package dev.signalbox.core.embeddings;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * A simulated deployment's embeddings: each word of the text hashed to one signed coordinate (the
 * hashing trick), the sum normalised to unit length. Texts that share words point alike, so a
 * quickstart's similarity search behaves sensibly; no model is loaded and the vectors mean nothing
 * beyond shared words.
 */
public final class HashedVectors {
  /** The length when the request does not ask for {@code dimensions}. */
  public static final int DEFAULT_DIMENSIONS = 384;

  private static final Pattern WORDS = Pattern.compile("[^\\p{L}\\p{N}]+");

  private HashedVectors() {}

  /** The unit vector of {@code text} with {@code dimensions} coordinates. */
  public static float[] of(String text, int dimensions) {
    float[] vector = new float[dimensions];
    for (String word : WORDS.split(text.toLowerCase(Locale.ROOT))) {
      if (!word.isEmpty()) {
        long hash = fnv1a(word);
        int index = (int) Long.remainderUnsigned(hash, dimensions);
        vector[index] += (hash >>> 63) == 0 ? 1f : -1f;
      }
    }
    double norm = norm(vector);
    if (norm == 0) {
      // No words (punctuation only): a direction of its own, drawn from the text.
      SplittableRandom random = new SplittableRandom(fnv1a(text));
      for (int i = 0; i < dimensions; i++) {
        vector[i] = (float) random.nextGaussian();
      }
      norm = norm(vector);
    }
    for (int i = 0; i < dimensions; i++) {
      vector[i] = (float) (vector[i] / norm);
    }
    return vector;
  }

  private static double norm(float[] vector) {
    double sum = 0;
    for (float v : vector) {
      sum += (double) v * v;
    }
    return Math.sqrt(sum);
  }

  private static long fnv1a(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
