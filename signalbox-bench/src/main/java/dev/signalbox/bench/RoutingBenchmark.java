package dev.signalbox.bench;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.routing.Router;
import dev.signalbox.core.wire.ChatRequestParser;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
 * The gateway's own work per request, without I/O: parse the body, compute signals, decide the
 * plan.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutingBenchmark {
  /** Every built-in policy over two models; DecisionBenchmark decides on the same routes. */
  static final String CONFIG =
      """
      deployments:
        - {name: a, provider: sim}
        - {name: b, provider: sim}
        - {name: c, provider: sim}
      models:
        - {name: small, deployments: [a], pricing: {input: 0.1, output: 0.4}, context-window: 16000}
        - {name: mid, deployments: [b, c], deployment-selector: weighted, pricing: {input: 1, output: 3}, context-window: 128000, capabilities: [tools]}
      routes:
        - name: rules
          policy: rules
          rules:
            - {keywords: [refactor, prove], route: priority}
            - {prompt-tokens: {min: 4000}, route: priority}
          default: cheapest
        - {name: cheapest, models: [small, mid], policy: cheapest}
        - {name: priority, models: [mid, small], policy: priority}
        - {name: weighted, models: [small, mid], policy: weighted, weights: {small: 3, mid: 1}}
        - {name: score, models: [small, mid], policy: score, threshold: {strong: mid, weak: small, value: 0.5, score: bert}}
      """;

  @Param({"rules", "cheapest", "priority", "weighted"})
  public String route;

  private Router router;
  private byte[] body;
  private ChatRequest request;
  private long seed;

  @Setup
  public void setUp() {
    GatewayConfig config = BenchSetup.reader().read(CONFIG, "bench");
    router = new Router(config, BenchSetup.POLICIES, BenchSetup.services(ArtifactSource.NONE));
    String text = "Please summarise the following notes for the weekly report. ".repeat(30);
    body =
        ("{\"model\":\""
                + route
                + "\",\"messages\":[{\"role\":\"system\",\"content\":\"You are concise.\"},"
                + "{\"role\":\"user\",\"content\":\""
                + text
                + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    request = ChatRequestParser.parse(body);
  }

  /** A decision on an already parsed request: signals, filters, policy, deployment order. */
  @Benchmark
  public Decision decide() {
    RequestSignals signals = new RequestSignals(request, Map.of(), "t", 1_024, BenchSetup.SIGNALS);
    return router.decide(signals, seed++, PoolSnapshot.EMPTY);
  }

  /** Parsing a 2 KB body into a request. */
  @Benchmark
  public ChatRequest parse() {
    return ChatRequestParser.parse(body);
  }
}
