package dev.signalbox.core.learn;

import dev.signalbox.core.config.ScorerSpec;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.embed.TunedEncoders;
import dev.signalbox.core.embed.TunedLayers;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Tunes the encoder's top layers with a head on a training set's texts and outcomes (the scorer
 * {@code tuned}). Training only, and a plug-in: the implementation runs PyTorch ({@code
 * signalbox-tune}), which the gateway does not need to serve the result.
 */
public interface EncoderTuning {
  /** The tuned layers, and the head that scores their vectors. */
  record Tuned(TunedLayers layers, MlpScorer head) {
    /**
     * Each text's vector from the tuned encoder, computed alone as a serving route computes it (a
     * batch would pad texts to its longest).
     */
    public float[][] embed(List<String> texts) {
      SentenceEncoder encoder = SentenceEncoder.shared(TunedEncoders.register(layers));
      return texts.parallelStream().map(encoder::encode).toArray(float[][]::new);
    }
  }

  /** Tunes on {@code data}'s texts (which it must carry) and qualities. */
  Tuned tune(TrainingSet data, ScorerSpec spec, long seed);

  /**
   * The implementation on the class path.
   *
   * @throws IllegalArgumentException where there is none (the OCI image): the route asks for what
   *     this build cannot do, which {@code train} and {@code eval} report as they report a bad
   *     route
   */
  static EncoderTuning available() {
    return ServiceLoader.load(EncoderTuning.class)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "the scorer 'tuned' needs signalbox-tune and PyTorch on the class path: train"
                        + " it with the ./signalbox launcher, which has them (the OCI image"
                        + " leaves them out; it serves tuned artifacts without them)"));
  }
}
