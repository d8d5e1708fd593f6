package dev.signalbox.tune;

import dev.signalbox.core.embed.TunedLayers;
import dev.signalbox.core.learn.MlpScorer;

/**
 * What tuning gives: the tuned layers (their weights by their names in the encoder's ONNX file),
 * the head fitted with them (the gateway's {@link MlpScorer} over the tuned encoder's unit vector),
 * the epoch kept, and the held-out loss and {@link RankingGain} after each epoch.
 */
public record TunedEncoder(
    TunedLayers layers, MlpScorer head, int epoch, double[] heldOutLoss, double[] heldOutGain) {
  /** How many values the tuned layers hold. */
  public long parameters() {
    return layers.weights().values().stream().mapToLong(values -> values.length).sum();
  }
}
