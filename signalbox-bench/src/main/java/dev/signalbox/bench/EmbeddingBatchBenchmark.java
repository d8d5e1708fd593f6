package dev.signalbox.bench;

import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.eval.data.DatasetFormat;
import dev.signalbox.eval.data.EvalPrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Why serving embeds one prompt per model call: the model's time per prompt for real prompts of
 * mixed length (RouteLLM's MMLU, shuffled with a fixed seed), each group of 32 encoded {@code
 * alone}, in batches of 8 as they came ({@code arrival}), or in batches of 8 after sorting the
 * group by length ({@code by-length}). A batch runs padded to its longest prompt. Needs
 * ../shared/data; run in process ({@code -f 0}: a forked JMH JVM's long class path crashes ONNX
 * Runtime):
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'signalbox-bench/target/signalbox-bench-0.1.0-SNAPSHOT.jar:signalbox-bench/target/lib/*' \
 *   org.openjdk.jmh.Main EmbeddingBatchBenchmark -f 0
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public class EmbeddingBatchBenchmark {
  private static final int GROUP = 32;
  private static final int BATCH = 8;

  @Param({"alone", "arrival", "by-length"})
  public String batching;

  private SentenceEncoder model;
  private List<List<String>> groups;
  private int next;

  @Setup
  public void setUp() throws Exception {
    Path mmlu = Path.of("../shared/data/routellm/mmlu");
    if (!Files.isDirectory(mmlu)) {
      throw new IllegalStateException(
          "EmbeddingBatchBenchmark needs RouteLLM's MMLU prompts in " + mmlu);
    }
    List<String> prompts = new ArrayList<>();
    for (EvalPrompt p :
        DatasetFormat.named("routellm").orElseThrow().reader().read(mmlu).prompts()) {
      prompts.add(p.messages().get(p.messages().size() - 1).text());
    }
    Collections.shuffle(prompts, new Random(1));
    groups = new ArrayList<>();
    for (int i = 0; i + GROUP <= 512; i += GROUP) {
      List<String> group = new ArrayList<>(prompts.subList(i, i + GROUP));
      if (batching.equals("by-length")) {
        group.sort(Comparator.comparingInt(String::length));
      }
      groups.add(group);
    }
    model = SentenceEncoder.shared();
  }

  /** One group of 32 prompts; the time is per prompt. */
  @Benchmark
  @OperationsPerInvocation(GROUP)
  public int group() {
    List<String> group = groups.get(next++ % groups.size());
    int dimensions = 0;
    if (batching.equals("alone")) {
      for (String prompt : group) {
        dimensions += model.encode(prompt).length;
      }
    } else {
      for (int i = 0; i < GROUP; i += BATCH) {
        for (float[] vector : model.encode(group.subList(i, i + BATCH))) {
          dimensions += vector.length;
        }
      }
    }
    return dimensions;
  }
}
