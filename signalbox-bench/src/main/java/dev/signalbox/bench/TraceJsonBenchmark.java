package dev.signalbox.bench;

import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.trace.TraceJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A trace's canonical JSON, what the trace writer encodes for every request before it stores it:
 * traces shaped like the explorer benchmark's (three candidates, a plan, one or two attempts, a
 * pool snapshot of two deployments).
 *
 * <pre>bash signalbox-bench/run-jmh.sh TraceJsonBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgs = {"-Xms112m", "-Xmx112m", "-XX:+UseG1GC"})
public class TraceJsonBenchmark {
  private final List<DecisionTrace> traces = new ArrayList<>();
  private int next;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(1);
    Instant time = Instant.parse("2026-12-01T00:00:00Z");
    for (int i = 0; i < 256; i++) {
      traces.add(ExplorerBenchmark.trace(i, time.plusMillis(i), random));
    }
  }

  @Benchmark
  public String encode() {
    next = (next + 1) & 255;
    return TraceJson.write(traces.get(next));
  }
}
