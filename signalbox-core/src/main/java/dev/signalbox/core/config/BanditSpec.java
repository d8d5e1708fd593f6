package dev.signalbox.core.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code bandit} policy: its algorithm, exploration, the reward's penalties and where its
 * learned state is kept between restarts.
 *
 * @param algorithm {@code linucb} or {@code thompson}
 * @param exploration LinUCB's α, or Thompson's posterior scale
 * @param costPenalty reward = quality − costPenalty × cost / (the dearest candidate's cost) −
 *     energyPenalty × …
 * @param energyPenalty the same for energy per token, over the most energy-hungry candidate's
 * @param explorationBudget the largest share of decisions that may differ from the greedy choice
 * @param clusters the k of the k-means over embeddings that is part of the context (0: none)
 * @param state the file the learner's state is kept in
 */
public record BanditSpec(
    @Default("linucb") @OneOf({"linucb", "thompson"}) String algorithm,
    @Default("0.5") @Range(min = 0, max = 100) double exploration,
    @Default("0.3") @Range(min = 0, max = 100) double costPenalty,
    @Default("0") @Range(min = 0, max = 100) double energyPenalty,
    @Default("0.2") @Range(min = 0, max = 1) double explorationBudget,
    @Default("8") @Range(min = 0, max = 256) int clusters,
    Optional<Path> state) {
  public static final BanditSpec DEFAULT =
      new BanditSpec("linucb", 0.5, 0.3, 0, 0.2, 8, Optional.empty());
}
