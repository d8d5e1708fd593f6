package dev.signalbox.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RankingGainTest {
  /** Four prompts: the first model is right on the first two only, the second on all four. */
  private static final double[][] QUALITY = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};

  @Test
  void theTrueOrderScoresOneItsReverseMinusOneAndNoOrderZero() {
    double[][] right = {{0.9, 0.1}, {0.8, 0.2}, {0.3, 0.7}, {0.2, 0.8}};
    double[][] reversed = {{0.1, 0.9}, {0.2, 0.8}, {0.7, 0.3}, {0.8, 0.2}};
    double[][] blind = {{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}};
    assertThat(RankingGain.of(right, QUALITY)).isEqualTo(1.0);
    assertThat(RankingGain.of(reversed, QUALITY)).isEqualTo(-1.0);
    assertThat(RankingGain.of(blind, QUALITY)).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void aHalfRightOrderScoresBetweenAndOnlyTheOrderCounts() {
    double[][] halfRight = {{0.9, 0.1}, {0.3, 0.7}, {0.8, 0.2}, {0.2, 0.8}};
    double[][] sameOrderOtherScale = {{0.6, 0.5}, {0.2, 0.8}, {0.55, 0.5}, {0.1, 0.9}};
    double gain = RankingGain.of(halfRight, QUALITY);
    assertThat(gain).isStrictlyBetween(0.0, 1.0);
    assertThat(RankingGain.of(sameOrderOtherScale, QUALITY)).isEqualTo(gain);
  }

  @Test
  void pairsWhoseAdvantageNeverVariesAreLeftOut() {
    double[][] quality = {{1, 0, 0}, {1, 0, 1}, {0, 0, 0}, {0, 0, 1}};
    double[][] predicted = {{0.9, 0.1, 0.1}, {0.8, 0.1, 0.9}, {0.2, 0.1, 0.2}, {0.1, 0.1, 0.8}};
    assertThat(RankingGain.of(predicted, quality)).isEqualTo(1.0);
    double[][] sameEverywhere = {{1, 1}, {1, 1}};
    assertThat(RankingGain.of(new double[][] {{0.2, 0.1}, {0.1, 0.3}}, sameEverywhere)).isNaN();
  }
}
