package dev.signalbox.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What every learned route ({@code threshold}, {@code objective}, {@code bandit}) is fitted with
 * and reads: its scorer, the part of the conversation it embeds, and the artifact the fit was
 * written to ({@code ./signalbox train}). Offline, {@code eval} fits the scorer again on each fold
 * and ignores the artifact.
 */
public interface LearnedPolicySpec {
  ScorerSpec scorer();

  /** {@code last-user}, {@code user} or {@code conversation}. */
  String embed();

  /**
   * Which of that text the encoder reads: {@code head} (its first 256 word pieces), {@code tail}
   * (its last 1,024 characters) or {@code chunks} (windows over all of it, averaged).
   */
  String window();

  /**
   * {@code strip}: the long beginnings many training prompts share (a system prompt, worked
   * examples) are learnt by {@code train}, kept in the artifact and skipped before the window;
   * {@code keep}: the text is read as it is.
   */
  String prefixes();

  /**
   * The sentence encoder: {@code minilm} (all-MiniLM-L6-v2, the default), {@code minilm-128} (the
   * same, reading 128 word pieces instead of 256: long prompts cost half) or {@code e5-small}
   * (e5-small-v2: stronger, about twice the cost).
   */
  String encoder();

  default boolean stripsPrefixes() {
    return prefixes().equals("strip");
  }

  /** The artifact file (relative to the working directory). */
  Optional<Path> artifact();

  /** The quality a fit must keep, when the route promises one. */
  default Optional<QualityTarget> qualityTarget() {
    return Optional.empty();
  }

  /** The strong and weak model a fit calibrates a threshold between, for a threshold route. */
  default Optional<ThresholdSpec> calibrates() {
    return Optional.empty();
  }

  /** The k-means clusters of the embeddings a fit adds to the context (a bandit's), or 0. */
  default int clusters() {
    return 0;
  }

  /** The checks every learned route makes: its artifact is named and, when serving, exists. */
  static void checkArtifact(LearnedPolicySpec spec, RouteCheck check) {
    if (!check.artifactsRequired()) {
      return;
    }
    Optional<Path> artifact = spec.artifact();
    if (artifact.isEmpty()) {
      check.problem(
          "artifact",
          "missing (a "
              + check.route().policy()
              + " route serves from a trained artifact: ./signalbox train ... --out FILE)");
    } else if (!Files.isRegularFile(artifact.get())) {
      check.problem(
          "artifact", "no such file: " + artifact.get() + " (write one with ./signalbox train)");
    }
  }
}
