package dev.signalbox.core.embed;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Exact top-k search by dot product over fixed rows. The search over a kNN route's training prompts
 * is memory-bound (14,037 rows of 384 floats are 21.5 MB, read whole per decision), so where {@link
 * ByteDots} is vectorised a copy of the rows in int8 with each row's quantisation error bounds
 * every row's score in a quarter of the bytes, and only the rows whose bound reaches the k-th best
 * lower bound are scored in float. The answer is the full float scan's, bit for bit and tie for
 * tie: no row whose float score could be among the k is skipped (see {@link #nearest}), and the
 * rows kept are scored and ordered exactly as the scan orders them.
 */
public final class NearestNeighbours {
  /** Below this many rows the float scan is already cheap and the int8 copy not worth its bytes. */
  static final int MIN_QUANTISED_ROWS = 1_024;

  /** Float rounding per dimension, as a share of |q||v|: four times the unit roundoff. */
  private static final float ROUNDING_PER_DIMENSION = 0x1p-22f;

  private final float[][] rows;
  private final Optional<Quantised> quantised;

  private NearestNeighbours(float[][] rows, Optional<Quantised> quantised) {
    this.rows = rows;
    this.quantised = quantised;
  }

  /** A search over {@code rows} (not copied), int8-bounded where the vector API is present. */
  public static NearestNeighbours over(float[][] rows) {
    return over(rows, vectorisedDots());
  }

  /** The float scan alone: what every search is without the vector module. */
  public static NearestNeighbours exhaustive(float[][] rows) {
    return over(rows, Optional.empty());
  }

  static NearestNeighbours over(float[][] rows, Optional<ByteDots> dots) {
    Optional<Quantised> quantised =
        rows.length >= MIN_QUANTISED_ROWS && dots.isPresent() && allFinite(rows)
            ? Optional.of(Quantised.of(rows, dots.get()))
            : Optional.empty();
    return new NearestNeighbours(rows, quantised);
  }

  /** The vectorised dot products, where the vector module is in the JVM's module graph. */
  static Optional<ByteDots> vectorisedDots() {
    return VectorModule.DOTS;
  }

  /** Looked up once: the class that names the vector API is loaded only when it can link. */
  private static final class VectorModule {
    private static final Optional<ByteDots> DOTS = load();

    private static Optional<ByteDots> load() {
      if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
          || Boolean.getBoolean("signalbox.knn.scalar")) {
        return Optional.empty();
      }
      try {
        return Optional.of(
            (ByteDots)
                Class.forName("dev.signalbox.core.embed.VectorByteDots")
                    .getDeclaredConstructor()
                    .newInstance());
      } catch (ReflectiveOperationException | LinkageError unusable) {
        return Optional.empty();
      }
    }
  }

  /** Whether searches take the int8 bounds first. */
  public boolean quantised() {
    return quantised.isPresent();
  }

  /**
   * The indexes of the {@code k} rows with the largest dot product with {@code query}, best first;
   * ties go to the earlier row.
   *
   * <p>With the int8 copy: for row v and its int8 reconstruction v', and the query q and q', the
   * true product differs from q'·v' by at most |q'|·|v − v'| + |q − q'|·|v| (Cauchy–Schwarz, twice;
   * |q'| is at most |q| + |q − q'|), and a float sum of n products from the true product by at most
   * about n·2⁻²⁴·|q||v| (Higham's γₙ); four times that, {@link #ROUNDING_PER_DIMENSION}·n·|q||v|,
   * is added to both sides, which also covers the rounding of the bounds' own arithmetic. Every
   * row's float score therefore lies in [lower, upper]; the k rows with the highest lower bounds
   * score at least T, the k-th highest, so the k-th best float score is at least T, and a row whose
   * upper bound is below T cannot reach it, not even as a tie.
   */
  public int[] nearest(float[] query, int k) {
    int size = Math.min(k, rows.length);
    if (!boundable(query, size)) {
      return scan(query, size, null, 0);
    }
    Quantised q = quantised.get();
    float[] upper = q.upperBounds(query, size);
    return scan(query, size, upper, upper[rows.length]);
  }

  /**
   * How many rows a search for {@code query} scores in float (all of them without the int8 copy).
   */
  public int rowsScored(float[] query, int k) {
    int size = Math.min(k, rows.length);
    if (!boundable(query, size)) {
      return rows.length;
    }
    float[] upper = quantised.get().upperBounds(query, size);
    int scored = 0;
    for (int i = 0; i < rows.length; i++) {
      scored += upper[i] < upper[rows.length] ? 0 : 1;
    }
    return scored;
  }

  /** Whether the int8 bounds apply: there is a copy, it would skip rows, and the query fits it. */
  private boolean boundable(float[] query, int size) {
    return quantised.isPresent()
        && size < rows.length
        && query.length == quantised.get().width()
        && allFinite(query);
  }

  /**
   * The float scan: every row, or only those whose upper bound reaches {@code threshold}. Ties keep
   * the earlier row, since a row replaces another only when strictly better.
   */
  private int[] scan(float[] query, int size, float @Nullable [] upper, float threshold) {
    int[] best = new int[size];
    float[] bestScore = new float[size];
    int filled = 0;
    for (int i = 0; i < rows.length; i++) {
      if (upper != null && upper[i] < threshold) {
        continue;
      }
      float score = Vectors.dot(query, rows[i]);
      if (filled == size && score <= bestScore[size - 1]) {
        continue;
      }
      int at = filled < size ? filled++ : size - 1;
      while (at > 0 && bestScore[at - 1] < score) {
        best[at] = best[at - 1];
        bestScore[at] = bestScore[at - 1];
        at--;
      }
      best[at] = i;
      bestScore[at] = score;
    }
    return best;
  }

  private static boolean allFinite(float[][] rows) {
    for (float[] row : rows) {
      if (!allFinite(row)) {
        return false;
      }
    }
    return true;
  }

  private static boolean allFinite(float[] row) {
    for (float x : row) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  /** The rows in int8, one scale per row, with each row's norm and quantisation error. */
  private record Quantised(
      ByteDots dots, int width, byte[] codes, float[] scale, float[] norm, float[] error) {
    static Quantised of(float[][] rows, ByteDots dots) {
      int width = rows[0].length;
      byte[] codes = new byte[rows.length * width];
      float[] scale = new float[rows.length];
      float[] norm = new float[rows.length];
      float[] error = new float[rows.length];
      for (int r = 0; r < rows.length; r++) {
        Code code = Code.of(rows[r], codes, r * width);
        scale[r] = code.scale();
        norm[r] = code.norm();
        error[r] = code.error();
      }
      return new Quantised(dots, width, codes, scale, norm, error);
    }

    /**
     * Each row's upper bound, and after them (at index rows) the k-th highest lower bound. Lower
     * bounds go through a min-heap of k, so the threshold costs one pass.
     */
    float[] upperBounds(float[] query, int k) {
      int count = scale.length;
      byte[] queryCodes = new byte[width];
      Code q = Code.of(query, queryCodes, 0);
      int[] products = new int[count];
      dots.dots(codes, queryCodes, products);
      float[] upper = new float[count + 1];
      float[] heap = new float[k];
      float rounding = ROUNDING_PER_DIMENSION * width;
      int filled = 0;
      for (int r = 0; r < count; r++) {
        float approx = products[r] * (q.scale() * scale[r]);
        float slack =
            (q.norm() + q.error()) * error[r]
                + q.error() * norm[r]
                + rounding * q.norm() * norm[r]
                + rounding * Math.abs(approx);
        upper[r] = approx + slack;
        float lower = approx - slack;
        if (filled < k) {
          heap[filled] = lower;
          siftUp(heap, filled++);
        } else if (lower > heap[0]) {
          heap[0] = lower;
          siftDown(heap, k);
        }
      }
      upper[count] = heap[0];
      return upper;
    }

    private static void siftUp(float[] heap, int at) {
      while (at > 0 && heap[(at - 1) / 2] > heap[at]) {
        swap(heap, at, (at - 1) / 2);
        at = (at - 1) / 2;
      }
    }

    private static void siftDown(float[] heap, int size) {
      int at = 0;
      while (true) {
        int left = 2 * at + 1;
        int smallest = at;
        if (left < size && heap[left] < heap[smallest]) {
          smallest = left;
        }
        if (left + 1 < size && heap[left + 1] < heap[smallest]) {
          smallest = left + 1;
        }
        if (smallest == at) {
          return;
        }
        swap(heap, at, smallest);
        at = smallest;
      }
    }

    private static void swap(float[] heap, int a, int b) {
      float t = heap[a];
      heap[a] = heap[b];
      heap[b] = t;
    }
  }

  /**
   * One vector in int8 at {@code codes[offset...]}: its scale (largest magnitude over 127), its
   * norm and the norm of what rounding lost, rounded up so that the bounds stay bounds.
   */
  private record Code(float scale, float norm, float error) {
    static Code of(float[] v, byte[] codes, int offset) {
      float largest = 0;
      double norm = 0;
      for (float x : v) {
        largest = Math.max(largest, Math.abs(x));
        norm += (double) x * x;
      }
      float scale = largest > 0 ? largest / 127 : 1;
      double lost = 0;
      for (int i = 0; i < v.length; i++) {
        int code = Math.clamp(Math.round(v[i] / scale), -127, 127);
        codes[offset + i] = (byte) code;
        double d = v[i] - (double) code * scale;
        lost += d * d;
      }
      return new Code(scale, up(Math.sqrt(norm)), up(Math.sqrt(lost)));
    }

    private static float up(double x) {
      return Math.nextUp((float) x);
    }
  }
}
