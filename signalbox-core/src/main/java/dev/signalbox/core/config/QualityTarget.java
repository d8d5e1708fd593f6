package dev.signalbox.core.config;

import java.util.Optional;

/**
 * The quality a learned threshold route promises: {@code train} picks the cheapest threshold whose
 * quality on held-out prompts meets it with the given confidence (a Learn-then-Test bound, see
 * {@code dev.signalbox.core.learn.QualityGuarantee}).
 *
 * @param quality a share of the {@code of} model's quality (0.95: 95% of it), or without {@code of}
 *     a quality on the data's 0-1 scale
 * @param of the reference model, one of the route's
 * @param confidence the probability, over the data the threshold is calibrated on, that the route's
 *     quality meets the target
 */
public record QualityTarget(
    @Range(min = 0, max = 1) double quality,
    Optional<String> of,
    @Default("0.9") @Range(min = 0.5, max = 0.999) double confidence) {

  /** The target as a note says it: {@code 0.95 of large at confidence 0.9}. */
  public String describe() {
    return quality + of.map(model -> " of " + model).orElse("") + " at confidence " + confidence;
  }
}
