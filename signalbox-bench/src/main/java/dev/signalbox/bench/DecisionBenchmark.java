package dev.signalbox.bench;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.learn.ArtifactSource;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.RecordedSignals;
import dev.signalbox.core.routing.Router;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decisions on precomputed signals, single-threaded, as offline evaluation and replay make them:
 * the signals come from a recorded map (no tokenizing), so what is measured is the policy alone
 * ({@code policy}) and the router's whole decision around it ({@code router}: eligibility, policy,
 * fallbacks, deployment order, the decision record).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(1)
public class DecisionBenchmark {
  /** What a 2 KB conversation's recorded decision read. */
  private static final Map<String, Object> SIGNALS =
      Map.of(
          "prompt_tokens",
          460L,
          "prompt_tokens_at_most",
          2_100L,
          "max_output_tokens",
          1_024L,
          "max_output_tokens_from",
          "route-default",
          "tools",
          false,
          "images",
          false,
          "json_schema",
          false,
          "keywords:refactor|prove",
          "",
          "header:x-signalbox-score-bert",
          "0.62");

  @Param({"cheapest", "priority", "weighted", "score", "rules"})
  public String route;

  private Router router;
  private RoutingPolicy policy;
  private List<Candidate> candidates;
  private long seed;

  @Setup
  public void setUp() {
    GatewayConfig config = BenchSetup.reader().read(RoutingBenchmark.CONFIG, "bench");
    router = new Router(config, BenchSetup.POLICIES, BenchSetup.services(ArtifactSource.NONE));
    RouteSpec spec = config.route(route).orElseThrow();
    policy =
        BenchSetup.POLICIES.create(
            spec, new PolicyContext(config, BenchSetup.services(ArtifactSource.NONE)));
    candidates =
        spec.models().stream()
            .map(m -> config.model(m).orElseThrow())
            .map(ModelSpec::candidate)
            .toList();
  }

  private RecordedSignals signals() {
    return new RecordedSignals(
        route,
        "t",
        SIGNALS,
        List.of(),
        OptionalLong.empty(),
        RouteSpec.DEFAULT_MAX_TOKENS,
        BenchSetup.SIGNALS);
  }

  /** The policy's decision alone, as the evaluator's inner loop makes it. */
  @Benchmark
  public PolicyResult policy() {
    return policy.decide(new PolicyInput(signals(), candidates, PoolSnapshot.EMPTY, seed++));
  }

  /** The router's whole decision: eligibility, policy, fallbacks, deployment order, the record. */
  @Benchmark
  public Decision router() {
    return router.decide(signals(), seed++, PoolSnapshot.EMPTY);
  }
}
