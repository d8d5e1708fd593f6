package dev.signalbox.bench;

import dev.signalbox.core.embed.EmbeddingFile;
import dev.signalbox.core.embed.Embeddings;
import dev.signalbox.core.embed.EncoderModel;
import dev.signalbox.core.embed.NearestNeighbours;
import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.embed.Vectors;
import dev.signalbox.eval.data.DatasetFormat;
import dev.signalbox.eval.data.EvalPrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A kNN route's search alone, one thread: the k nearest of a query among four fifths of MMLU's
 * prompts (11,229, embedded with MiniLM and kept in {@code .signalbox/embeddings}, as {@code eval}
 * keeps them; the first run embeds them, about 90 s), the queries the other fifth. {@code scan} is
 * the float scan, {@code int8} the int8-bounded search (the same neighbours), which needs the
 * vector module in the JVM. Without {@code ../shared/data}, clustered random unit vectors stand in.
 * Unforked, so that the JVM that embeds is not started with a long class path (see
 * architecture.md), and so that it has run-jmh.sh's vector module:
 *
 * <pre>bash signalbox-bench/run-jmh.sh NearestNeighboursBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(0)
public class NearestNeighboursBenchmark {
  @Param({"scan", "int8"})
  String search;

  @Param({"40"})
  int k;

  private NearestNeighbours index;
  private float[][] queries;
  private int next;

  @Setup
  public void embed() throws Exception {
    float[][] all = vectors();
    int rows = all.length * 4 / 5;
    float[][] labelled = java.util.Arrays.copyOfRange(all, 0, rows);
    queries = java.util.Arrays.copyOfRange(all, rows, all.length);
    index =
        search.equals("int8")
            ? NearestNeighbours.over(labelled)
            : NearestNeighbours.exhaustive(labelled);
    if (search.equals("int8") && !index.quantised()) {
      throw new IllegalStateException("int8 needs --add-modules=jdk.incubator.vector");
    }
    long scored = 0;
    for (float[] query : queries) {
      scored += index.rowsScored(query, k);
    }
    System.out.printf(
        Locale.ROOT,
        "%n  [%d rows, %d queries; rows scored in float per search: %.1f]%n",
        rows,
        queries.length,
        (double) scored / queries.length);
  }

  @Benchmark
  public int[] nearest() {
    float[] query = queries[next];
    next = (next + 1) % queries.length;
    return index.nearest(query, k);
  }

  private static float[][] vectors() throws Exception {
    Path mmlu = Path.of("../shared/data/routellm/mmlu");
    if (!Files.isDirectory(mmlu)) {
      System.err.println("../shared/data is absent: clustered random unit vectors instead");
      return clustered(14_037, new SplittableRandom(42));
    }
    List<String> texts = new ArrayList<>();
    for (EvalPrompt p :
        DatasetFormat.named("routellm").orElseThrow().reader().read(mmlu).prompts()) {
      texts.add(p.messages().get(p.messages().size() - 1).text());
    }
    EncoderModel model = EncoderModel.MINILM;
    try (EmbeddingFile file =
        EmbeddingFile.open(
            Path.of(".signalbox/embeddings"), model.id(), SentenceEncoder.DIMENSIONS)) {
      Embeddings embeddings = Embeddings.offlineOnDemand(model).get().persistTo(file);
      return embeddings.embedAll(texts).toArray(new float[0][]);
    }
  }

  private static float[][] clustered(int count, SplittableRandom random) {
    float[][] centres = new float[57][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = Vectors.normalised(gaussian(random, 1));
    }
    float[][] rows = new float[count][];
    for (int r = 0; r < count; r++) {
      float[] row = gaussian(random, 0.06);
      float[] centre = centres[random.nextInt(centres.length)];
      for (int i = 0; i < row.length; i++) {
        row[i] += centre[i];
      }
      rows[r] = Vectors.normalised(row);
    }
    return rows;
  }

  private static float[] gaussian(SplittableRandom random, double sigma) {
    float[] v = new float[SentenceEncoder.DIMENSIONS];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (random.nextGaussian() * sigma);
    }
    return v;
  }
}
