package dev.signalbox.bench;

import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.trace.SqliteTraceStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the SQLite trace store costs a request: one group commit of {@code batch} traces shaped like
 * real ones (three candidates, a plan, one or two attempts, a pool snapshot), each new, into a
 * store that grows through the run, as the gateway's trace writer does under load (at 2,000
 * requests a second its 20 ms linger gathers about 40). The score is per batch; divide by the batch
 * for a trace's share.
 *
 * <pre>bash signalbox-bench/run-jmh.sh TraceWriteBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgs = {"-Xms112m", "-Xmx112m", "-XX:+UseG1GC"})
public class TraceWriteBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Param({"40", "200"})
  int batch;

  private Path dir;
  private SqliteTraceStore store;
  private SplittableRandom random;
  private int next;
  private long cpuNanos;
  private long written;

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("signalbox-trace-write");
    store = SqliteTraceStore.open(dir.resolve("traces.db"));
    random = new SplittableRandom(42);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  /**
   * The writer's CPU time (user and system) per trace in the iteration, printed: the store's fsyncs
   * make the score's wall time wait on the disk, while the gateway's one core pays only the CPU.
   */
  @TearDown(Level.Iteration)
  public void printCpuPerTrace() {
    if (written > 0) {
      System.out.printf(Locale.ROOT, "  [cpu %.1f us per trace]%n", cpuNanos / 1e3 / written);
    }
    cpuNanos = 0;
    written = 0;
  }

  @Benchmark
  public int writeBatch() throws SQLException {
    List<DecisionTrace> traces = new ArrayList<>(batch);
    Instant now = Instant.now();
    for (int i = 0; i < batch; i++) {
      traces.add(ExplorerBenchmark.trace(next++, now, random));
    }
    long cpu = THREADS.getCurrentThreadCpuTime();
    store.write(traces);
    cpuNanos += THREADS.getCurrentThreadCpuTime() - cpu;
    written += traces.size();
    return traces.size();
  }
}
