package dev.signalbox.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Pricing;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.ObjectiveSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.embed.Vectors;
import dev.signalbox.core.policies.ObjectivePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two kinds of prompt, far apart in embedding space: "strong" answers both well, "weak" only the
 * first kind. Every scorer must learn that, from the vectors alone.
 */
class LearnedScorersTest {
  static final List<String> MODELS = List.of("strong", "weak");
  static final float[] EASY_CENTRE = unit(0);
  static final float[] HARD_CENTRE = unit(1);

  static float[] unit(int axis) {
    float[] v = new float[16];
    v[axis] = 1;
    return v;
  }

  static float[] near(float[] centre, SplittableRandom random) {
    float[] v = centre.clone();
    for (int d = 0; d < v.length; d++) {
      v[d] += (float) (random.nextGaussian() * 0.15);
    }
    return Vectors.normalised(v);
  }

  static TrainingSet data(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] e = new float[size][];
    double[][] f = new double[size][CheapFeatures.SIZE];
    double[][] q = new double[size][];
    double[][] c = new double[size][];
    for (int i = 0; i < size; i++) {
      boolean hard = i % 2 == 1;
      e[i] = near(hard ? HARD_CENTRE : EASY_CENTRE, random);
      q[i] =
          new double[] {
            random.nextDouble() < 0.9 ? 1 : 0, random.nextDouble() < (hard ? 0.2 : 0.9) ? 1 : 0
          };
      c[i] = new double[] {0.01, 0.001};
    }
    return new TrainingSet(MODELS, e, f, q, c, new double[] {200, 100});
  }

  @Test
  void everyScorerLearnsWhichPromptsTheWeakModelFails() {
    TrainingSet train = data(400, 1);
    SplittableRandom random = new SplittableRandom(2);
    for (QualityScorer scorer :
        List.<QualityScorer>of(
            KnnScorer.fit(train, 20, 2),
            MatrixFactorisation.fit(train, new MatrixFactorisation.Settings(8, 30, 0.1, 1e-5), 7),
            LogisticScorer.fit(train, new LogisticScorer.Settings(30, 0.2, 1e-4), 7),
            MlpScorer.fit(train, new MlpScorer.Settings(16, 30, 3, 1e-2, 1e-4), 7),
            new BlendScorer(
                List.of(
                    KnnScorer.fit(train, 20, 2),
                    MlpScorer.fit(train, new MlpScorer.Settings(16, 30, 1, 1e-2, 1e-4), 7))))) {
      double[] easy = scorer.predict(near(EASY_CENTRE, random), new double[CheapFeatures.SIZE]);
      double[] hard = scorer.predict(near(HARD_CENTRE, random), new double[CheapFeatures.SIZE]);
      assertThat(easy[1]).as(scorer.kind() + " weak on easy").isGreaterThan(0.7);
      assertThat(hard[1]).as(scorer.kind() + " weak on hard").isLessThan(0.4);
      assertThat(hard[0]).as(scorer.kind() + " strong on hard").isGreaterThan(0.7);
      assertThat(Training.winScore(hard, 0, 1)).isGreaterThan(Training.winScore(easy, 0, 1) + 0.3);
    }
  }

  @Test
  void anMlpEnsembleIsSeededAndAveragesItsMembers() {
    TrainingSet train = data(200, 8);
    MlpScorer.Settings three = new MlpScorer.Settings(8, 5, 3, 1e-2, 1e-4);
    MlpScorer ensemble = MlpScorer.fit(train, three, 11);
    float[] probe = train.embeddings()[0];
    double[] features = train.features()[0];
    assertThat(ensemble.members()).isEqualTo(3);
    assertThat(ensemble.predict(probe, features))
        .containsExactly(MlpScorer.fit(train, three, 11).predict(probe, features));
    double[] mean = new double[MODELS.size()];
    for (int member = 0; member < 3; member++) {
      double[] predicted = member(ensemble, member, 8).predict(probe, features);
      for (int m = 0; m < mean.length; m++) {
        mean[m] += predicted[m] / 3;
      }
    }
    assertThat(ensemble.predict(probe, features)).containsExactly(mean, within(1e-12));
  }

  private static MlpScorer member(MlpScorer ensemble, int member, int units) {
    int models = ensemble.models().size();
    return new MlpScorer(
        ensemble.models(),
        java.util.Arrays.copyOfRange(ensemble.hidden(), member * units, (member + 1) * units),
        java.util.Arrays.copyOfRange(ensemble.hiddenBias(), member * units, (member + 1) * units),
        java.util.Arrays.copyOfRange(ensemble.output(), member * models, (member + 1) * models),
        java.util.Arrays.copyOfRange(
            ensemble.outputBias(), member * models, (member + 1) * models));
  }

  @Test
  void aBlendAveragesItsPartsAndIsNamedByThem() {
    TrainingSet train = data(200, 9);
    KnnScorer knn = KnnScorer.fit(train, 10, 1);
    MlpScorer mlp = MlpScorer.fit(train, new MlpScorer.Settings(8, 5, 1, 1e-2, 1e-4), 3);
    BlendScorer blend = new BlendScorer(List.of(knn, mlp));
    float[] probe = train.embeddings()[5];
    double[] features = train.features()[5];
    double[] a = knn.predict(probe, features);
    double[] b = mlp.predict(probe, features);
    double[] mean = blend.predict(probe, features);
    for (int m = 0; m < MODELS.size(); m++) {
      assertThat(mean[m]).isCloseTo((a[m] + b[m]) / 2, org.assertj.core.data.Offset.offset(1e-12));
    }
    assertThat(blend.kind()).isEqualTo("knn+mlp");
    assertThat(blend.readsCheapFeatures()).isEqualTo(mlp.readsCheapFeatures());
    assertThatThrownBy(() -> new BlendScorer(List.of(knn))).hasMessageContaining("two scorers");
  }

  @Test
  void knnSmoothsTowardThePriorAndBreaksTiesByOrder() {
    TrainingSet train = data(100, 3);
    KnnScorer knn = KnnScorer.fit(train, 1, 1);
    double[] prior = train.meanQuality();
    int nearest = knn.nearest(train.embeddings()[5])[0];
    assertThat(nearest).isEqualTo(5);
    double[] predicted = knn.predict(train.embeddings()[5], new double[0]);
    assertThat(predicted[1]).isEqualTo((train.quality()[5][1] + prior[1]) / 2);
    assertThat(
            MatrixFactorisation.fit(train, MatrixFactorisation.Settings.DEFAULT, 9)
                .predict(train.embeddings()[0], new double[0]))
        .containsExactly(
            MatrixFactorisation.fit(train, MatrixFactorisation.Settings.DEFAULT, 9)
                .predict(train.embeddings()[0], new double[0]));
  }

  @Test
  void aCalibratedThresholdSendsTheTargetShareToTheStrongModel() {
    TrainingSet train = data(500, 4);
    var route = LearnedRoutes.thresholdRoute("r", "knn");
    LearnedArtifact artifact =
        Training.fit(
            route,
            LearnedRoutes.learned(route),
            train,
            java.util.Optional.empty(),
            "test-model",
            "hash",
            "test",
            Training.Target.parse("strong-share=0.3"),
            5);
    LearnedArtifact.Calibration calibration = artifact.calibration().orElseThrow();
    assertThat(calibration.target()).isEqualTo("strong-share=0.3");
    assertThat(calibration.strongShare()).isBetween(0.25, 0.35);
    LearnedArtifact floor =
        Training.fit(
            route,
            LearnedRoutes.learned(route),
            train,
            java.util.Optional.empty(),
            "test-model",
            "hash",
            "test",
            Training.Target.parse("quality-floor=0.85"),
            5);
    assertThat(floor.calibration().orElseThrow().strongShare()).isBetween(0.3, 0.8);
    assertThatThrownBy(() -> Training.Target.parse("strong-share=2"))
        .hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> Training.Target.parse("cheap=1"))
        .hasMessageContaining("strong-share=X or quality-floor=Y");
  }

  @Test
  void anArtifactRoundTripsAndAnEditedOneIsRefused(@TempDir Path dir) throws Exception {
    TrainingSet train = data(60, 6);
    for (String kind :
        List.of("knn", "mf", "logistic", "mlp", "knn+mlp", "knn+logistic", "knn+mlp+logistic")) {
      LearnedArtifact artifact =
          Training.fit(
              LearnedRoutes.thresholdRoute("r", kind),
              LearnedRoutes.learned(LearnedRoutes.thresholdRoute("r", kind)),
              train,
              java.util.Optional.empty(),
              "test-model",
              "abc",
              "test",
              Training.Target.NONE,
              5);
      Path file = dir.resolve(kind + ".json");
      ArtifactFile.write(artifact, file);
      LearnedArtifact read = ArtifactFile.read(file);
      float[] probe = train.embeddings()[3];
      assertThat(read.scorer().predict(probe, train.features()[3]))
          .containsExactly(artifact.scorer().predict(probe, train.features()[3]));
      assertThat(read.models()).isEqualTo(MODELS);
      assertThat(read.dataHash()).isEqualTo("abc");
      assertThat(ArtifactFile.contentHash(read)).isEqualTo(ArtifactFile.contentHash(artifact));
    }
    Path file = dir.resolve("knn.json");
    Files.writeString(file, Files.readString(file).replace("\"k\":20", "\"k\":21"));
    assertThatThrownBy(() -> ArtifactFile.read(file))
        .hasMessageContaining("content_sha256")
        .hasMessageContaining(file.toString());
    assertThatThrownBy(() -> ArtifactFile.read(dir.resolve("missing.json")))
        .hasMessageContaining("no such artifact");
  }

  @Test
  void anArtifactKeepsTheSharedPrefixesItWasFittedAfterAndARouteReadingAnotherWindowIsRefused(
      @TempDir Path dir) throws Exception {
    var route = LearnedRoutes.thresholdRoute("r", "knn");
    var prefixes =
        new dev.signalbox.core.text.SharedPrefixes(
            List.of("x".repeat(150) + " ", "y".repeat(180) + "\n"));
    LearnedArtifact artifact = fitAfter(route, Optional.of(prefixes));
    Path file = dir.resolve("a.json");
    ArtifactFile.write(artifact, file);
    LearnedArtifact read = ArtifactFile.read(file);
    assertThat(read.prefixes().orElseThrow().prefixes()).isEqualTo(prefixes.prefixes());
    assertThat(read.window()).isEqualTo("head");
    assertThat(read.textWindow().name()).isEqualTo("head,after:" + prefixes.digest());
    assertThat(ArtifactFile.contentHash(read)).isEqualTo(ArtifactFile.contentHash(artifact));

    var tail = (dev.signalbox.core.config.ThresholdPolicySpec) LearnedRoutes.learned(route);
    var readsTail = reading(tail, "tail", "strip", "minilm");
    assertThat(ArtifactSource.mismatches(route.withSpec(readsTail), readsTail, artifact, "m"))
        .singleElement()
        .asString()
        .contains("window 'head', the route reads 'tail'");
    LearnedArtifact noPrefixes = fitAfter(route, Optional.empty());
    var strips = reading(tail, "head", "strip", "minilm");
    assertThat(ArtifactSource.mismatches(route.withSpec(strips), strips, noPrefixes, "m"))
        .singleElement()
        .asString()
        .contains("fitted on whole texts");
    var e5 = reading(tail, "head", "keep", "e5-small");
    assertThat(ArtifactSource.mismatches(route.withSpec(e5), e5, noPrefixes, "m"))
        .singleElement()
        .asString()
        .contains("the route's encoder is 'e5-small-v2-q@");
  }

  /** The route's spec reading another window, prefix setting or encoder. */
  private static dev.signalbox.core.config.ThresholdPolicySpec reading(
      dev.signalbox.core.config.ThresholdPolicySpec spec,
      String window,
      String prefixes,
      String encoder) {
    return new dev.signalbox.core.config.ThresholdPolicySpec(
        spec.threshold(),
        spec.scorer(),
        spec.embed(),
        window,
        prefixes,
        encoder,
        spec.artifact(),
        spec.target());
  }

  private static LearnedArtifact fitAfter(
      RouteSpec route, Optional<dev.signalbox.core.text.SharedPrefixes> prefixes) {
    return Training.fit(
        route,
        LearnedRoutes.learned(route),
        data(40, 3),
        prefixes,
        "m",
        "h",
        "t",
        Training.Target.NONE,
        1);
  }

  @Test
  void anArtifactOfAnotherEmbeddingModelOrOtherModelsDoesNotFitTheRoute() {
    LearnedArtifact artifact =
        Training.fit(
            LearnedRoutes.thresholdRoute("r", "knn"),
            LearnedRoutes.learned(LearnedRoutes.thresholdRoute("r", "knn")),
            data(40, 8),
            java.util.Optional.empty(),
            "other-model",
            "h",
            "t",
            Training.Target.NONE,
            1);
    var route = LearnedRoutes.thresholdRoute("r", "knn");
    assertThat(
            ArtifactSource.mismatches(route, LearnedRoutes.learned(route), artifact, "other-model"))
        .isEmpty();
    assertThat(
            ArtifactSource.mismatches(route, LearnedRoutes.learned(route), artifact, "all-MiniLM"))
        .singleElement()
        .asString()
        .contains("embedding model 'other-model'");
    var wider = LearnedRoutes.thresholdRoute("r", "knn", List.of("strong", "weak", "new"));
    assertThat(
            ArtifactSource.mismatches(wider, LearnedRoutes.learned(wider), artifact, "other-model"))
        .singleElement()
        .asString()
        .contains("no outcomes of new");
  }

  @Test
  void theObjectiveWeighsQualityAgainstCostAndLiveLatencyAndKeepsHardLimits() {
    LearnedArtifact artifact =
        Training.fit(
            LearnedRoutes.thresholdRoute("r", "knn"),
            LearnedRoutes.learned(LearnedRoutes.thresholdRoute("r", "knn")),
            data(40, 9),
            java.util.Optional.empty(),
            "m",
            "h",
            "t",
            Training.Target.NONE,
            1);
    Candidate strong = new Candidate("strong", new Pricing(10, 10, 30), 100_000, 0, List.of("s1"));
    Candidate weak = new Candidate("weak", new Pricing(0.5, 0.5, 1), 100_000, 0, List.of("w1"));
    double[] predicted = {0.9, 0.6};
    ObjectiveSpec quality = ObjectiveSpec.preset("quality");
    ObjectiveSpec cost = ObjectiveSpec.preset("cost");
    assertThat(first(quality, artifact, predicted, List.of(strong, weak), PoolSnapshot.EMPTY))
        .isEqualTo("strong");
    assertThat(first(cost, artifact, predicted, List.of(strong, weak), PoolSnapshot.EMPTY))
        .isEqualTo("weak");
    // A slow strong deployment tips the latency preset to the weak model.
    PoolSnapshot slowStrong =
        new PoolSnapshot(
            Map.of(
                "s1",
                    new DeploymentState(
                        3, 0, 0, 0, 0, 0, 4000, 5000, 20, DeploymentState.CLOSED, 10),
                "w1",
                    new DeploymentState(
                        0, 0, 0, 0, 0, 0, 100, 150, 5, DeploymentState.CLOSED, 10)));
    assertThat(
            first(
                ObjectiveSpec.preset("latency"),
                artifact,
                predicted,
                List.of(strong, weak),
                slowStrong))
        .isEqualTo("weak");
    assertThat(
            first(
                ObjectiveSpec.preset("latency"),
                artifact,
                predicted,
                List.of(strong, weak),
                PoolSnapshot.EMPTY))
        .isEqualTo("strong");
    ObjectiveSpec capped =
        new ObjectiveSpec(
            "quality", ObjectiveSpec.Weights.NONE, OptionalDouble.of(0.0005), Optional.empty());
    List<ScoredModel> order =
        ObjectivePolicy.rank(
            capped, artifact, predicted, List.of(strong, weak), 100, 1000, PoolSnapshot.EMPTY);
    assertThat(order).extracting(ScoredModel::model).containsExactly("weak");
    assertThat(order.get(0).reason()).contains("quality 0.600").contains("cost $");
  }

  private static String first(
      ObjectiveSpec spec,
      LearnedArtifact artifact,
      double[] predicted,
      List<Candidate> candidates,
      PoolSnapshot pool) {
    return ObjectivePolicy.rank(spec, artifact, predicted, candidates, 500, 1000, pool)
        .get(0)
        .model();
  }
}
