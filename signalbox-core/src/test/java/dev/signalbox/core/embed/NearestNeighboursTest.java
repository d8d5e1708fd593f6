package dev.signalbox.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NearestNeighboursTest {
  private static final int WIDTH = 384;

  /** Unit rows around a few centres, some repeated exactly, so that scores crowd and tie. */
  private static float[][] clusteredRows(int count, SplittableRandom random) {
    float[][] centres = new float[12][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = gaussian(random, 1);
    }
    float[][] rows = new float[count][];
    for (int r = 0; r < count; r++) {
      if (r > 0 && r % 17 == 0) {
        rows[r] = rows[random.nextInt(r)].clone();
        continue;
      }
      float[] row = gaussian(random, 0.35);
      float[] centre = centres[random.nextInt(centres.length)];
      for (int i = 0; i < WIDTH; i++) {
        row[i] += centre[i];
      }
      rows[r] = Vectors.normalised(row);
    }
    return rows;
  }

  private static float[] gaussian(SplittableRandom random, double sigma) {
    float[] v = new float[WIDTH];
    for (int i = 0; i < WIDTH; i++) {
      v[i] = (float) (nextGaussian(random) * sigma);
    }
    return v;
  }

  private static double nextGaussian(SplittableRandom random) {
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
        * Math.cos(2 * Math.PI * random.nextDouble());
  }

  @Test
  void theTestJvmHasTheVectorisedDots() {
    // The build adds jdk.incubator.vector to the tests' JVMs, so the quantised path is the one
    // tested.
    assertThat(NearestNeighbours.vectorisedDots()).isPresent();
  }

  @Test
  void theInt8BoundedSearchFindsExactlyWhatTheFloatScanFinds() {
    SplittableRandom random = new SplittableRandom(7);
    float[][] rows = clusteredRows(3_000, random);
    NearestNeighbours bounded = NearestNeighbours.over(rows);
    NearestNeighbours scan = NearestNeighbours.over(rows, Optional.empty());
    assertThat(bounded.quantised()).isTrue();
    assertThat(scan.quantised()).isFalse();
    long scored = 0;
    for (int q = 0; q < 200; q++) {
      float[] query =
          q % 5 == 0
              ? rows[random.nextInt(rows.length)].clone() // ties with itself and its copies
              : clusteredRows(1, random)[0];
      for (int k : new int[] {1, 10, 40, 200}) {
        assertThat(bounded.nearest(query, k))
            .as("query %d, k %d", q, k)
            .containsExactly(scan.nearest(query, k));
      }
    }
  }

  @Test
  void unnormalisedAndZeroQueriesAndRowsAreStillExact() {
    SplittableRandom random = new SplittableRandom(11);
    float[][] rows = clusteredRows(2_000, random);
    for (int r = 0; r < rows.length; r += 7) {
      for (int i = 0; i < WIDTH; i++) {
        rows[r][i] *= 3 + r % 5;
      }
    }
    rows[3] = new float[WIDTH];
    NearestNeighbours bounded = NearestNeighbours.over(rows);
    NearestNeighbours scan = NearestNeighbours.over(rows, Optional.empty());
    float[] big = gaussian(random, 40);
    float[] zero = new float[WIDTH];
    float[] negative = rows[10].clone();
    for (int i = 0; i < WIDTH; i++) {
      negative[i] = -negative[i];
    }
    for (float[] query : new float[][] {big, zero, negative}) {
      assertThat(bounded.nearest(query, 25)).containsExactly(scan.nearest(query, 25));
    }
  }

  @Test
  void aQueryThatIsNotFiniteIsScannedAndSmallSetsAreNotQuantised() {
    SplittableRandom random = new SplittableRandom(3);
    float[][] rows = clusteredRows(1_500, random);
    float[] broken = rows[4].clone();
    broken[9] = Float.NaN;
    assertThat(NearestNeighbours.over(rows).nearest(broken, 5))
        .containsExactly(NearestNeighbours.over(rows, Optional.empty()).nearest(broken, 5));
    assertThat(
            NearestNeighbours.over(clusteredRows(NearestNeighbours.MIN_QUANTISED_ROWS - 1, random))
                .quantised())
        .isFalse();
    assertThat(NearestNeighbours.over(rows).nearest(rows[4], 5_000)).hasSize(rows.length);
  }

  @Test
  void vectorisedDotsAreTheIntegerSumsForEveryWidth() {
    ByteDots dots = NearestNeighbours.vectorisedDots().orElseThrow();
    SplittableRandom random = new SplittableRandom(5);
    for (int width : new int[] {1, 5, 16, 64, 383, 384, 385}) {
      int count = 37;
      byte[] rows = new byte[count * width];
      byte[] query = new byte[width];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = (byte) random.nextInt(256);
      }
      for (int i = 0; i < width; i++) {
        query[i] = i == 0 ? Byte.MIN_VALUE : (byte) random.nextInt(256);
      }
      rows[0] = Byte.MIN_VALUE;
      int[] out = new int[count];
      dots.dots(rows, query, out);
      for (int r = 0; r < count; r++) {
        int expected = 0;
        for (int i = 0; i < width; i++) {
          expected += rows[r * width + i] * query[i];
        }
        assertThat(out[r]).as("width %d row %d", width, r).isEqualTo(expected);
      }
    }
  }
}
