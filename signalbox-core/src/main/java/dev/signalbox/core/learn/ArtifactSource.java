package dev.signalbox.core.learn;

import dev.signalbox.core.config.BanditPolicySpec;
import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.embed.EncoderModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a learned route's artifact and a bandit route's learner come from: the route's files when
 * serving, a fit of the fold in {@code eval}.
 */
public interface ArtifactSource {
  LearnedArtifact artifactFor(RouteSpec route, LearnedPolicySpec spec);

  /** The learned state a bandit route decides from. */
  BanditLearner learnerFor(RouteSpec route, BanditPolicySpec spec, LearnedArtifact artifact);

  /** For configs without learned routes: asking for an artifact is a mistake. */
  ArtifactSource NONE =
      new ArtifactSource() {
        @Override
        public LearnedArtifact artifactFor(RouteSpec route, LearnedPolicySpec spec) {
          throw new IllegalStateException("no artifacts here (route '" + route.name() + "')");
        }

        @Override
        public BanditLearner learnerFor(
            RouteSpec route, BanditPolicySpec spec, LearnedArtifact artifact) {
          throw new IllegalStateException("no learners here (route '" + route.name() + "')");
        }
      };

  /**
   * Reads the route's {@code artifact} file and checks that it fits the route and this gateway's
   * embedding model; bandit routes learn in {@code learners}.
   */
  static ArtifactSource files(String embeddingModel, BanditLearners learners) {
    return new ArtifactSource() {
      @Override
      public LearnedArtifact artifactFor(RouteSpec route, LearnedPolicySpec spec) {
        Path file =
            spec.artifact()
                .orElseThrow(
                    () ->
                        new ArtifactFile.ArtifactException(
                            Path.of("(none)"), "route '" + route.name() + "' names no artifact"));
        LearnedArtifact artifact = ArtifactFile.read(file);
        List<String> problems = mismatches(route, spec, artifact, embeddingModel);
        if (!problems.isEmpty()) {
          throw new ArtifactFile.ArtifactException(
              file, "does not fit route '" + route.name() + "': " + String.join("; ", problems));
        }
        return artifact;
      }

      @Override
      public BanditLearner learnerFor(
          RouteSpec route, BanditPolicySpec spec, LearnedArtifact artifact) {
        return learners.forRoute(route, spec, artifact);
      }
    };
  }

  /** Why an artifact cannot serve a route; empty when it can. */
  static List<String> mismatches(
      RouteSpec route, LearnedPolicySpec spec, LearnedArtifact artifact, String embeddingModel) {
    List<String> problems = new ArrayList<>();
    if (!artifact.policy().equals(route.policy())) {
      problems.add(
          "it was trained for policy '"
              + artifact.policy()
              + "', the route's policy is '"
              + route.policy()
              + "'");
    }
    // The default encoder is the gateway's (tests give a fake's id); another is named by the route.
    EncoderModel encoder = EncoderModel.named(spec.encoder());
    String expected = encoder.isDefault() ? embeddingModel : encoder.id();
    boolean tunedScorer = Training.tunes(spec.scorer());
    if (tunedScorer != artifact.tuned().isPresent()) {
      problems.add(
          tunedScorer
              ? "the route's scorer is '"
                  + spec.scorer().kind()
                  + "', the artifact carries no tuned encoder (train it again)"
              : "the artifact carries a tuned encoder, the route's scorer is '"
                  + spec.scorer().kind()
                  + "'");
    } else if (tunedScorer && !artifact.scorerKind().equals(spec.scorer().kind())) {
      problems.add(
          "it was fitted for the scorer '"
              + artifact.scorerKind()
              + "', the route's is '"
              + spec.scorer().kind()
              + "' (train it again)");
    } else if (!tunedScorer && !artifact.embeddingModel().equals(expected)) {
      problems.add(
          "its vectors come from embedding model '"
              + artifact.embeddingModel()
              + "', the route's encoder is '"
              + expected
              + "'");
    }
    if (!artifact.embed().equals(spec.embed())) {
      problems.add(
          "it embedded '" + artifact.embed() + "', the route embeds '" + spec.embed() + "'");
    }
    // An artifact from before windows is served as it was fitted (whole texts from their start).
    boolean windowed = !artifact.window().isEmpty();
    if (windowed && !artifact.window().equals(spec.window())) {
      problems.add(
          "it read the window '"
              + artifact.window()
              + "', the route reads '"
              + spec.window()
              + "'");
    }
    if (windowed && spec.stripsPrefixes() != artifact.prefixes().isPresent()) {
      problems.add(
          spec.stripsPrefixes()
              ? "the route strips shared prefixes, the artifact was fitted on whole texts (train"
                  + " it again)"
              : "the artifact was fitted after stripping shared prefixes, the route keeps them"
                  + " (prefixes: strip, or train it again)");
    }
    List<String> unknown = route.models().stream().filter(m -> artifact.modelIndex(m) < 0).toList();
    if (!unknown.isEmpty()) {
      problems.add(
          "it knows no outcomes of "
              + String.join(", ", unknown)
              + " (it was trained on "
              + String.join(", ", artifact.models())
              + ")");
    }
    spec.calibrates()
        .ifPresent(
            t ->
                artifact
                    .calibration()
                    .ifPresent(
                        c -> {
                          if (!c.strong().equals(t.strong()) || !c.weak().equals(t.weak())) {
                            problems.add(
                                "it was calibrated for strong "
                                    + c.strong()
                                    + " / weak "
                                    + c.weak()
                                    + ", the route's are "
                                    + t.strong()
                                    + " / "
                                    + t.weak());
                          }
                        }));
    return problems;
  }
}
