package dev.signalbox.bench;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.config.BudgetPeriod;
import dev.signalbox.core.config.BudgetSpec;
import dev.signalbox.core.config.BudgetWindow;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.core.gateway.Caller;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.Handled;
import dev.signalbox.core.limits.Scope;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.testing.FakeUpstream;
import dev.signalbox.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What limits add to a request: the whole request path but the sockets (as {@link
 * RequestPathBenchmark}), its callers under no limits, or each under its key's, its team's and its
 * tenant's (requests and tokens per minute, requests at once, a budget; never refused), with 10 or
 * 10,000 keys in 1,000 teams taking turns; the limits' state in memory, or in a real {@code
 * redis-server} on loopback on core 1 (started here, stopped by its PID; two round trips a request:
 * reserve and settle). Sampled, for the p99:
 *
 * <pre>bash signalbox-bench/run-jmh.sh LimitsBenchmark</pre>
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xms112m", "-Xmx112m", "-XX:+UseG1GC"})
public class LimitsBenchmark {
  @Param({"0", "10", "10000"})
  public int keys;

  @Param({"memory", "redis"})
  public String store;

  private RedisServer redis;

  private Gateway gateway;
  private ChatRequest request;
  private List<Caller> callers;
  private int next;

  @Setup
  public void setUp() {
    String yaml = RequestPathBenchmark.CONFIG;
    if (store.equals("redis")) {
      try {
        redis = new RedisServer(Files.createTempDirectory("bench-redis"));
        // The benchmark is pinned to core 0 and its children inherit that: Redis goes to core 1,
        // as a store on its own machine would not share the gateway's core.
        new ProcessBuilder("taskset", "-a", "-p", "-c", "1", Long.toString(redis.pid()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
            .waitFor();
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("redis-server is needed for store=redis", e);
      }
      yaml = yaml + "\nlimits: {redis-url: \"" + redis.url() + "\"}\n";
    }
    GatewayConfig config = BenchSetup.reader().read(yaml, "bench");
    UpstreamReply reply = BenchSetup.shortAnswer();
    gateway =
        Gateway.create(
            config,
            Gateway.Settings.builder()
                .seeds(() -> ThreadLocalRandom.current().nextLong())
                .upstreams(d -> new FakeUpstream(call -> reply))
                .sink(trace -> {})
                .policies(BenchSetup.POLICIES)
                .build());
    request =
        ChatRequestParser.parse(
            ("{\"model\":\"bench\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"Summarise the benchmark rules in one sentence.\"}]}")
                .getBytes(StandardCharsets.UTF_8));
    LimitSpec generous =
        new LimitSpec(
            OptionalInt.of(100_000_000),
            OptionalLong.of(1_000_000_000_000L),
            OptionalInt.of(1_000_000),
            Optional.of(new BudgetSpec(1e12, BudgetPeriod.MONTHLY, BudgetWindow.CALENDAR, 1.0)),
            Optional.empty());
    callers = new ArrayList<>();
    if (keys == 0) {
      callers.add(new Caller("bench", Set.of(), Map.of()));
    }
    for (int i = 0; i < keys; i++) {
      callers.add(
          new Caller(
              "bench",
              Set.of(),
              Map.of(),
              List.of(
                  new Scope(Scope.Kind.KEY, "key-" + i).bound(generous),
                  new Scope(Scope.Kind.TEAM, "team-" + i % 1_000).bound(generous),
                  new Scope(Scope.Kind.TENANT, "bench").bound(generous))));
    }
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    gateway.close();
    if (redis != null) {
      redis.close();
    }
  }

  @Benchmark
  public Object request() throws InterruptedException {
    Caller caller = callers.get(next++ % callers.size());
    return ((Handled.Completed) gateway.handle(request, caller)).body();
  }
}
