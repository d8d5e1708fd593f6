package dev.signalbox.eval.replay;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.routing.Router;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.eval.EvalFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.ToDoubleBiFunction;

/**
 * Recorded traffic made by the gateway's own router under a config, with attempts scripted per
 * deployment: {@code large-a} fails every fourth request in 20 ms and otherwise answers in 900 ms,
 * {@code large-b} in 1,000 ms, {@code small-a} in 100 ms. Each answer used 10 prompt and 100 output
 * tokens.
 */
final class RecordedRun {
  static final String POOL =
      """
      deployments:
        - {name: small-a, provider: sim}
        - {name: large-a, provider: sim}
        - {name: large-b, provider: sim}
      models:
        - {name: small, deployments: [small-a], pricing: {input: 0.1, output: 0.4}}
        - {name: large, deployments: [large-a, large-b], pricing: {input: 10, output: 30}}
      routes:
      """;
  static final Usage USAGE = new Usage(10, 0, 100, false);

  private RecordedRun() {}

  static GatewayConfig config(String routes) {
    return config("", routes);
  }

  /** The pool and routes after {@code head} (limits, say). */
  static GatewayConfig config(String head, String routes) {
    return new ConfigReader(EvalFixtures.policies(), name -> null)
        .read(head + POOL + routes.stripIndent().indent(2), "test.yaml");
  }

  /**
   * Records {@code n} requests to route {@code chat} under {@code config}, with feedback {@code
   * reward(model, i)}.
   */
  static void record(
      TraceStore store, GatewayConfig config, int n, ToDoubleBiFunction<String, Integer> reward)
      throws Exception {
    record(store, config, n, reward, i -> List.of());
  }

  /** As above, the {@code i}th trace with {@code flags.apply(i)}. */
  static void record(
      TraceStore store,
      GatewayConfig config,
      int n,
      ToDoubleBiFunction<String, Integer> reward,
      IntFunction<List<String>> flags)
      throws Exception {
    store.storeConfig(config.hash(), config.text());
    Router router = new Router(config, EvalFixtures.policies(), EvalFixtures.services());
    SplittableRandom seeds = new SplittableRandom(7);
    List<DecisionTrace> traces = new ArrayList<>();
    List<Feedback> feedback = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ChatRequest request =
          ChatRequestParser.parse(
              ("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"question "
                      + i
                      + "\"}]}")
                  .getBytes(StandardCharsets.UTF_8));
      long seed = seeds.nextLong();
      Decision.Routed routed =
          (Decision.Routed)
              router.decide(
                  new RequestSignals(
                      request, Map.of(), "t", RouteSpec.DEFAULT_MAX_TOKENS, EvalFixtures.signals()),
                  seed,
                  PoolSnapshot.EMPTY);
      List<AttemptTrace> attempts = new ArrayList<>();
      String served = "";
      for (PlanStep step : routed.record().plan()) {
        boolean fails = step.deployment().equals("large-a") && i % 4 == 0;
        double millis =
            switch (step.deployment()) {
              case "large-a" -> fails ? 20 : 900;
              case "large-b" -> 1_000;
              default -> 100;
            };
        attempts.add(
            new AttemptTrace(
                attempts.size(),
                step.model(),
                step.deployment(),
                fails ? "503" : "ok",
                fails ? -1 : millis / 2,
                millis,
                !fails,
                fails ? "HTTP 503" : ""));
        if (!fails) {
          served = step.model();
          break;
        }
      }
      var d = routed.record();
      String id = "req_" + i;
      traces.add(
          new DecisionTrace(
              id,
              Instant.ofEpochSecond(1_700_000_000L + i),
              "t",
              "chat",
              d.routes(),
              d.policy(),
              d.policyVersion(),
              config.hash(),
              d.seed(),
              d.signals(),
              d.candidates(),
              d.plan(),
              d.propensity(),
              d.pool(),
              attempts,
              USAGE,
              config.model(served).orElseThrow().pricing().cost(USAGE),
              false,
              "ok",
              "",
              flags.apply(i),
              "",
              ""));
      feedback.add(
          new Feedback(
              id, reward.applyAsDouble(served, i), "", Instant.ofEpochSecond(1_800_000_000L)));
    }
    store.write(traces);
    for (Feedback f : feedback) {
      store.addFeedback(f, null);
    }
  }
}
