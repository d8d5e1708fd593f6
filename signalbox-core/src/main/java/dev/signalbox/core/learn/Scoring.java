package dev.signalbox.core.learn;

import dev.signalbox.api.Signals;

/** Reads what an artifact's scorer needs from a request's signals, and only that, and predicts. */
public final class Scoring {
  private static final double[] NO_FEATURES = new double[CheapFeatures.SIZE];

  private Scoring() {}

  public static double[] predict(LearnedArtifact artifact, Signals signals) {
    float[] embedding =
        signals.embedding(artifact.embed(), artifact.textWindow(), artifact.encoder());
    double[] features =
        artifact.scorer().readsCheapFeatures() ? CheapFeatures.of(signals) : NO_FEATURES;
    return artifact.scorer().predict(embedding, features);
  }
}
