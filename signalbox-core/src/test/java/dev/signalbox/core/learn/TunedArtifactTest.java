package dev.signalbox.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.embed.TunedEncoders;
import dev.signalbox.core.embed.TunedLayers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An artifact that carries a tuned encoder: what it keeps, and which routes it may serve. */
class TunedArtifactTest {
  private static final List<String> MODELS = List.of("strong", "weak");

  private static TunedLayers layers(float value) {
    return new TunedLayers(
        Map.of(
            "encoder.layer.5.output.LayerNorm.bias", new float[] {value, 2, 3},
            "onnx::MatMul_1", new float[] {4, 5}));
  }

  private static final MlpScorer HEAD =
      new MlpScorer(
          MODELS,
          new double[][] {{0.5, -0.5}},
          new double[] {0.1},
          new double[][] {{1}, {-1}},
          new double[] {0, 0});

  /** The head, and a kNN vote over two training prompts' tuned vectors. */
  private static final BlendScorer HEAD_AND_NEIGHBOURS =
      new BlendScorer(
          List.of(
              HEAD,
              new KnnScorer(
                  MODELS,
                  1,
                  0,
                  new double[] {0.5, 0.5},
                  new float[][] {{1, 0}, {0, 1}},
                  new double[][] {{1, 0}, {0, 1}})));

  private static LearnedArtifact artifact(TunedLayers tuned) {
    return artifact(tuned, HEAD);
  }

  private static LearnedArtifact artifact(TunedLayers tuned, QualityScorer scorer) {
    return new LearnedArtifact(
        "threshold",
        tuned.model().id(),
        "last-user",
        "head",
        Optional.empty(),
        "h",
        "test",
        MODELS,
        scorer,
        Optional.empty(),
        new float[0][],
        new double[] {100, 100},
        Optional.of(tuned));
  }

  @Test
  void anArtifactKeepsItsTunedEncoderAndMakesItKnown(@TempDir Path dir) throws Exception {
    TunedLayers tuned = layers(1);
    LearnedArtifact artifact = artifact(tuned);
    assertThat(artifact.encoder()).isEqualTo(tuned.name()).matches("tuned-[0-9a-f]{16}");
    assertThat(TunedEncoders.named(tuned.name())).contains(tuned);
    assertThat(layers(1).name()).isEqualTo(tuned.name());
    assertThat(layers(7).name()).isNotEqualTo(tuned.name());

    Path file = dir.resolve("tuned.json");
    ArtifactFile.write(artifact, file);
    LearnedArtifact read = ArtifactFile.read(file);
    assertThat(read.tuned()).contains(tuned);
    assertThat(read.tuned().orElseThrow().weights().get("onnx::MatMul_1")).containsExactly(4, 5);
    assertThat(read.encoder()).isEqualTo(tuned.name());
    assertThat(ArtifactFile.contentHash(read)).isEqualTo(ArtifactFile.contentHash(artifact));
  }

  @Test
  void aTunedArtifactServesOnlyATunedRouteAndATunedRouteOnlyATunedArtifact() {
    RouteSpec tunedRoute = LearnedRoutes.thresholdRoute("r", "tuned");
    RouteSpec knnRoute = LearnedRoutes.thresholdRoute("r", "knn");
    LearnedArtifact tuned = artifact(layers(3));
    assertThat(ArtifactSource.mismatches(tunedRoute, LearnedRoutes.learned(tunedRoute), tuned, "m"))
        .isEmpty();
    assertThat(ArtifactSource.mismatches(knnRoute, LearnedRoutes.learned(knnRoute), tuned, "m"))
        .singleElement()
        .asString()
        .contains("carries a tuned encoder, the route's scorer is 'knn'");
    LearnedArtifact plain = fit(knnRoute, Training.Target.NONE);
    assertThat(ArtifactSource.mismatches(tunedRoute, LearnedRoutes.learned(tunedRoute), plain, "m"))
        .singleElement()
        .asString()
        .contains("carries no tuned encoder");
  }

  @Test
  void aTunedBlendKeepsItsNeighboursVectorsAndServesOnlyATunedBlendRoute(@TempDir Path dir)
      throws Exception {
    LearnedArtifact blend = artifact(layers(4), HEAD_AND_NEIGHBOURS);
    assertThat(blend.scorerKind()).isEqualTo("tuned+knn");
    assertThat(artifact(layers(4)).scorerKind()).isEqualTo("tuned");

    Path file = dir.resolve("tuned-knn.json");
    ArtifactFile.write(blend, file);
    LearnedArtifact read = ArtifactFile.read(file);
    assertThat(read.scorerKind()).isEqualTo("tuned+knn");
    float[] vector = {0.9f, 0.1f};
    double[] features = {};
    assertThat(read.scorer().predict(vector, features))
        .containsExactly(HEAD_AND_NEIGHBOURS.predict(vector, features));
    assertThat(ArtifactFile.contentHash(read)).isEqualTo(ArtifactFile.contentHash(blend));

    RouteSpec blendRoute = LearnedRoutes.thresholdRoute("r", "tuned+knn");
    RouteSpec tunedRoute = LearnedRoutes.thresholdRoute("r", "tuned");
    assertThat(ArtifactSource.mismatches(blendRoute, LearnedRoutes.learned(blendRoute), read, "m"))
        .isEmpty();
    assertThat(ArtifactSource.mismatches(tunedRoute, LearnedRoutes.learned(tunedRoute), read, "m"))
        .singleElement()
        .asString()
        .contains("fitted for the scorer 'tuned+knn', the route's is 'tuned'");
    assertThat(
            ArtifactSource.mismatches(
                blendRoute, LearnedRoutes.learned(blendRoute), artifact(layers(4)), "m"))
        .singleElement()
        .asString()
        .contains("fitted for the scorer 'tuned', the route's is 'tuned+knn'");
  }

  @Test
  void tunedOnlyLeadsABlend() {
    RouteSpec route = LearnedRoutes.thresholdRoute("r", "knn+tuned");
    assertThatThrownBy(() -> fit(route, Training.Target.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the scorer 'tuned' leads a blend ('tuned+knn')");
  }

  @Test
  void tuningWithoutItsPlugInIsRefusedWithAReason() {
    RouteSpec route = LearnedRoutes.thresholdRoute("r", "tuned");
    assertThatThrownBy(() -> fit(route, Training.Target.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs signalbox-tune and PyTorch on the class path");
    assertThatThrownBy(() -> fit(route, Training.Target.parse("strong-share=0.3")))
        .hasMessageContaining("needs signalbox-tune and PyTorch on the class path");
    RouteSpec blend = LearnedRoutes.thresholdRoute("r", "tuned+knn");
    assertThatThrownBy(() -> fit(blend, Training.Target.NONE))
        .hasMessageContaining("needs signalbox-tune and PyTorch on the class path");
  }

  private static LearnedArtifact fit(RouteSpec route, Training.Target target) {
    return Training.fit(
        route,
        LearnedRoutes.learned(route),
        LearnedScorersTest.data(30, 2),
        Optional.empty(),
        "m",
        "h",
        "t",
        target,
        1);
  }
}
