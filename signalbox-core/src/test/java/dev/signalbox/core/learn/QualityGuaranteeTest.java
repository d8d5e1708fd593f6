package dev.signalbox.core.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Learn then Test on a population whose truth is known: prompts of a hidden difficulty, a weak
 * model that fails hard ones far more than the strong one, a win score that sees the difficulty
 * through noise. Calibration sets are drawn from it again and again; the promise must hold on the
 * whole population about as often as its confidence says, and cost less than the strong model.
 */
class QualityGuaranteeTest {
  private static final int POPULATION = 100_000;
  private static final int CALIBRATION = 1_000;

  private final double[] wins = new double[POPULATION];
  private final double[] strong = new double[POPULATION];
  private final double[] weak = new double[POPULATION];

  QualityGuaranteeTest() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < POPULATION; i++) {
      double difficulty = random.nextDouble();
      strong[i] = random.nextDouble() < 1 - difficulty / 4 ? 1 : 0;
      weak[i] = random.nextDouble() < 1 - difficulty ? 1 : 0;
      wins[i] = difficulty + random.nextGaussian() * 0.2;
    }
  }

  private double populationQuality(double threshold) {
    double sum = 0;
    for (int i = 0; i < POPULATION; i++) {
      sum += wins[i] >= threshold ? strong[i] : weak[i];
    }
    return sum / POPULATION;
  }

  private double strongShare(double threshold) {
    double calls = 0;
    for (double w : wins) {
      calls += w >= threshold ? 1 : 0;
    }
    return calls / POPULATION;
  }

  @Test
  void aRelativePromiseHoldsAsOftenAsItsConfidenceSaysAndCostsLessThanTheStrongModel() {
    double strongQuality = populationQuality(Double.NEGATIVE_INFINITY);
    int held = 0;
    double shares = 0;
    int draws = 40;
    for (int draw = 0; draw < draws; draw++) {
      SplittableRandom pick = new SplittableRandom(100 + draw);
      double[] w = new double[CALIBRATION];
      double[] s = new double[CALIBRATION];
      double[] k = new double[CALIBRATION];
      for (int i = 0; i < CALIBRATION; i++) {
        int j = pick.nextInt(POPULATION);
        w[i] = wins[j];
        s[i] = strong[j];
        k[i] = weak[j];
      }
      QualityGuarantee.Pick chosen = QualityGuarantee.pick(w, s, k, s, 0.95, 0.9);
      assertThat(chosen.met()).isTrue();
      held += populationQuality(chosen.threshold()) >= 0.95 * strongQuality ? 1 : 0;
      shares += strongShare(chosen.threshold()) / draws;
    }
    assertThat(held).as("kept on %d of %d draws", held, draws).isGreaterThanOrEqualTo(36);
    assertThat(shares).as("the strong model's mean share of calls").isLessThan(0.8);
  }

  @Test
  void aPromiseNotEvenTheStrongModelKeepsIsSaidSo() {
    double[] w = {0.1, 0.5, 0.9};
    double[] s = {1, 0, 1};
    double[] k = {0, 0, 1};
    QualityGuarantee.Pick chosen = QualityGuarantee.pick(w, s, k, null, 0.9, 0.9);
    assertThat(chosen.met()).isFalse();
    assertThat(chosen.threshold()).as("the strong model on every prompt").isEqualTo(0.1);
  }

  @Test
  void theNormalTailIsRight() {
    assertThat(QualityGuarantee.upperTail(0))
        .isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-7));
    assertThat(QualityGuarantee.upperTail(1.2815516))
        .isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(QualityGuarantee.upperTail(-1.6448536))
        .isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-6));
  }
}
