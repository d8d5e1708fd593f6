package dev.signalbox.bench;

import dev.signalbox.api.RoutingListener;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.gateway.AccessLog;
import dev.signalbox.core.gateway.Caller;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.GatewayMetrics;
import dev.signalbox.core.gateway.Handled;
import dev.signalbox.core.gateway.Listeners;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.testing.FakeUpstream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole request path but the sockets: parse the body, route (the load benchmark's rules route),
 * dispatch to an in-process upstream, record the trace, the metrics and the access line, and write
 * the answer. Run with {@code -prof gc} for the bytes allocated per request:
 *
 * <pre>bash signalbox-bench/run-jmh.sh RequestPathBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xms112m", "-Xmx112m", "-XX:+UseG1GC"})
public class RequestPathBenchmark {
  static final String CONFIG =
      """
      deployments:
        - {name: fast, provider: sim}
        - {name: spare, provider: sim}
      models:
        - {name: small, deployments: [fast], pricing: {input: 0.15, output: 0.6}, context-window: 128000}
        - {name: large, deployments: [spare], pricing: {input: 5, output: 15}, context-window: 128000}
      routes:
        - name: bench
          policy: rules
          rules:
            - {name: hard, keywords: [prove, refactor], route: strong}
            - {name: long, prompt-tokens: {min: 8000}, route: strong}
          default: everyday
        - {name: everyday, models: [small, large], policy: cheapest}
        - {name: strong, models: [large, small], policy: priority}
      """;

  private Gateway gateway;
  private AccessLog accessLog;
  private byte[] body;
  private final Caller caller = new Caller("bench", Set.of(), Map.of());

  @Setup
  public void setUp() {
    GatewayConfig config = BenchSetup.reader().read(CONFIG, "bench");
    UpstreamReply reply = BenchSetup.shortAnswer();
    GatewayMetrics metrics = new GatewayMetrics();
    accessLog = new AccessLog(new PrintStream(OutputStream.nullOutputStream()), TimeSource.SYSTEM);
    gateway =
        Gateway.create(
            config,
            Gateway.Settings.builder()
                .seeds(() -> ThreadLocalRandom.current().nextLong())
                .upstreams(d -> new FakeUpstream(call -> reply))
                .listeners(
                    new Listeners(
                        List.of(
                            RoutingListener.Factory.of(metrics),
                            RoutingListener.Factory.of(accessLog))))
                .sink(trace -> {})
                .policies(BenchSetup.POLICIES)
                .build());
    body =
        ("{\"model\":\"bench\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Summarise the benchmark rules in one sentence.\"}]}")
            .getBytes(StandardCharsets.UTF_8);
  }

  @TearDown
  public void tearDown() {
    gateway.close();
    accessLog.close();
  }

  @Benchmark
  public byte[] request() throws InterruptedException {
    Handled handled = gateway.handle(ChatRequestParser.parse(body), caller);
    return ((Handled.Completed) handled).bytes();
  }
}
