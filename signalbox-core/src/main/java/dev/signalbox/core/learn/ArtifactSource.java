package dev.signalbox.core.learn;

import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.embed.SentenceEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a learned route's artifact comes from: its file when serving, a fit of the fold in {@code
 * eval}.
 */
@FunctionalInterface
public interface ArtifactSource {
  LearnedArtifact artifactFor(RouteSpec route);

  /**
   * The learned state a bandit route decides from: by default the gateway's learner of that route.
   */
  default BanditLearner learnerFor(RouteSpec route, LearnedArtifact artifact) {
    return BanditLearners.shared().forRoute(route, artifact);
  }

  /** A source of the given artifacts and bandit learners. */
  static ArtifactSource of(
      java.util.function.Function<RouteSpec, LearnedArtifact> artifacts,
      java.util.function.BiFunction<RouteSpec, LearnedArtifact, BanditLearner> learners) {
    return new ArtifactSource() {
      @Override
      public LearnedArtifact artifactFor(RouteSpec route) {
        return artifacts.apply(route);
      }

      @Override
      public BanditLearner learnerFor(RouteSpec route, LearnedArtifact artifact) {
        return learners.apply(route, artifact);
      }
    };
  }

  /** Reads the route's {@code artifact} file and checks that it fits the route and this gateway. */
  ArtifactSource FILES =
      route -> {
        Path file =
            route
                .learning()
                .artifact()
                .orElseThrow(
                    () ->
                        new ArtifactFile.ArtifactException(
                            Path.of("(none)"), "route '" + route.name() + "' names no artifact"));
        LearnedArtifact artifact = ArtifactFile.read(file);
        List<String> problems = mismatches(route, artifact, SentenceEncoder.MODEL_ID);
        if (!problems.isEmpty()) {
          throw new ArtifactFile.ArtifactException(
              file, "does not fit route '" + route.name() + "': " + String.join("; ", problems));
        }
        return artifact;
      };

  /** Why an artifact cannot serve a route; empty when it can. */
  static List<String> mismatches(RouteSpec route, LearnedArtifact artifact, String embeddingModel) {
    List<String> problems = new ArrayList<>();
    if (!artifact.policy().equals(route.policy())) {
      problems.add(
          "it was trained for policy '"
              + artifact.policy()
              + "', the route's policy is '"
              + route.policy()
              + "'");
    }
    if (!artifact.embeddingModel().equals(embeddingModel)) {
      problems.add(
          "its vectors come from embedding model '"
              + artifact.embeddingModel()
              + "', this gateway's is '"
              + embeddingModel
              + "'");
    }
    if (!artifact.embed().equals(route.learning().embed())) {
      problems.add(
          "it embedded '"
              + artifact.embed()
              + "', the route embeds '"
              + route.learning().embed()
              + "'");
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
    route
        .threshold()
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
