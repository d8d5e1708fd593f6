package dev.signalbox.tune;

import dev.signalbox.core.embed.OnnxModel;
import dev.signalbox.core.learn.MlpScorer;
import java.util.Map;

/**
 * What tuning gives: the tuned layers' weights by their names in the encoder's ONNX file, the head
 * fitted with them (the gateway's {@link MlpScorer} over the tuned encoder's unit vector), the
 * epoch kept, and the held-out loss after each epoch.
 *
 * @param layersTuned how many of the encoder's top layers {@link #layers} holds
 */
public record TunedEncoder(
    OnnxModel base,
    Map<String, float[]> layers,
    MlpScorer head,
    int epoch,
    double[] heldOutLoss,
    int layersTuned) {
  public TunedEncoder {
    layers = Map.copyOf(layers);
  }

  /** The base model's ONNX file with the tuned weights in place: ONNX Runtime runs it as is. */
  public byte[] onnx() {
    return base.withFloats(layers);
  }

  /** How many values the tuned layers hold. */
  public long parameters() {
    return layers.values().stream().mapToLong(values -> values.length).sum();
  }
}
