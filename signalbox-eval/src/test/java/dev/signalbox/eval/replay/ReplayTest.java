package dev.signalbox.eval.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.limits.LimitSubjects;
import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.eval.EvalFixtures;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Decision and counterfactual replay over traffic recorded by the gateway's router. */
@Timeout(60)
class ReplayTest {
  private static final int N = 400;
  private static final long SLO_MS = 500;
  private static final GatewayConfig SPLIT =
      RecordedRun.config(
          """
          - {name: chat, models: [small, large], policy: weighted, weights: {small: 1, large: 1}}
          """);

  @TempDir Path dir;
  private TraceStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private TraceStore recordSplit() throws Exception {
    store = SqliteTraceStore.open(dir.resolve("traces.db"));
    // Large earns 0.9 every time; small 1 or 0 in turn, 0.5 on average.
    RecordedRun.record(store, SPLIT, N, (model, i) -> model.equals("large") ? 0.9 : i % 2);
    return store;
  }

  private CounterfactualReport replay(String routes) throws Exception {
    return replay(RecordedRun.config(routes));
  }

  private CounterfactualReport replay(GatewayConfig target) throws Exception {
    return new CounterfactualReplay(
            store,
            RecordedTraffic.load(store),
            EvalFixtures.policies(),
            EvalFixtures.services(),
            SLO_MS,
            42)
        .run("target", target);
  }

  @Test
  void replaysEveryRecordedDecisionIdentically() throws Exception {
    recordSplit();
    List<String> log = new ArrayList<>();
    DecisionReplay.Result result =
        new DecisionReplay(store, EvalFixtures.policies(), EvalFixtures.services()).run(log::add);
    assertThat(result.divergences()).isEmpty();
    assertThat(result.identical()).isEqualTo(N);
    List<String> recorded = new ArrayList<>();
    store.forEach(json -> recorded.add(decisionLine(json)));
    assertThat(log).isEqualTo(recorded);
  }

  @Test
  void namesTheFieldOfADecisionThatComesOutDifferently() throws Exception {
    recordSplit();
    DecisionTrace t = TraceJson.parse(store.find("req_3").orElseThrow());
    store.write(List.of(withPropensity(t, t.propensity() / 2)));
    DecisionTrace u = TraceJson.parse(store.find("req_5").orElseThrow());
    store.write(List.of(withConfig(u, "0".repeat(64))));
    DecisionReplay.Result result =
        new DecisionReplay(store, EvalFixtures.policies(), EvalFixtures.services()).run(line -> {});
    assertThat(result.identical()).isEqualTo(N - 2);
    assertThat(result.divergences()).hasSize(2);
    assertThat(result.divergences().get(0).id()).isEqualTo("req_3");
    assertThat(result.divergences().get(0).field()).isEqualTo("propensity");
    assertThat(result.divergences().get(1).id()).isEqualTo("req_5");
    assertThat(result.divergences().get(1).replayed()).contains("no config text for hash 0000");
  }

  @Test
  void alwaysLargeKnowsTheMatchedOutcomesAndEstimatesTheRest() throws Exception {
    recordSplit();
    RecordedTraffic traffic = RecordedTraffic.load(store);
    long large = traffic.requests().stream().filter(r -> r.loggedModel().equals("large")).count();
    long largeFallbacks =
        traffic.requests().stream()
            .filter(r -> r.loggedModel().equals("large") && index(r) % 4 == 0)
            .count();
    assertThat(large).as("a fair split").isBetween(160L, 240L);

    CounterfactualReport report =
        replay(
            """
            - {name: chat, models: [large], policy: priority}
            """);
    assertThat(report.replayed()).isEqualTo(N);
    assertThat(report.skipped()).isEmpty();
    assertThat(report.changed()).isEqualTo(N - large);
    assertThat(report.transitions()).isEqualTo(Map.of("small -> large", (int) (N - large)));
    double largeCost = 10 * 10e-6 + 100 * 30e-6;
    double smallCost = 10 * 0.1e-6 + 100 * 0.4e-6;
    assertThat(report.recordedCostUsd())
        .isCloseTo(large * largeCost + (N - large) * smallCost, within(1e-9));
    assertThat(report.replayedCostUsd()).isCloseTo(N * largeCost, within(1e-9));
    // Recorded requests that went to large-a fail there as recorded; the others meet its median.
    assertThat(report.recorded().fallbacks()).isEqualTo((int) largeFallbacks);
    assertThat(report.replay().fallbacks()).isEqualTo((int) largeFallbacks);
    assertThat(report.recorded().sloMisses()).isEqualTo((int) large);
    assertThat(report.replay().sloMisses()).isEqualTo(N);
    assertThat(report.replay().p50Millis()).isEqualTo(900);

    assertThat(report.withFeedback()).isEqualTo(N);
    assertThat(report.matchedWithFeedback()).isEqualTo((int) large);
    assertThat(report.matchedMeanFeedback()).isCloseTo(0.9, within(1e-9));
    var estimate = report.estimate().orElseThrow();
    assertThat(estimate.snips().value()).isCloseTo(0.9, within(1e-9));
    assertThat(estimate.ips().low()).isLessThan(0.9);
    assertThat(estimate.ips().high()).isGreaterThan(0.9);
    assertThat(estimate.doublyRobust().value()).isCloseTo(0.9, within(1e-9));
    assertThat(estimate.effectiveSampleSize()).isEqualTo(large, within(1e-6));
  }

  @Test
  void alwaysSmallIsEstimatedNearItsTrueMean() throws Exception {
    recordSplit();
    CounterfactualReport report =
        replay(
            """
            - {name: chat, models: [small, large], policy: cheapest}
            """);
    var estimate = report.estimate().orElseThrow();
    for (var e : List.of(estimate.ips(), estimate.snips(), estimate.doublyRobust())) {
      assertThat(e.low()).as(e.name()).isLessThan(0.5);
      assertThat(e.high()).as(e.name()).isGreaterThan(0.5);
    }
    assertThat(report.replayedCostUsd()).isLessThan(report.recordedCostUsd());
    assertThat(report.replay().sloMisses()).isZero();
  }

  @Test
  void refusesToEstimateAChoiceTheRecordedPolicyCouldNotMake() throws Exception {
    store = SqliteTraceStore.open(dir.resolve("traces.db"));
    RecordedRun.record(
        store,
        RecordedRun.config(
            """
            - {name: chat, models: [large, small], policy: priority}
            """),
        50,
        (model, i) -> 0.9);
    CounterfactualReport report =
        replay(
            """
            - {name: chat, models: [small, large], policy: cheapest}
            """);
    assertThat(report.changed()).isEqualTo(50);
    assertThat(report.estimate()).isEmpty();
    assertThat(report.refusal()).contains("could not have chosen (probability 0)");
  }

  @Test
  void aPolicyThatReadsWhatWasNotRecordedIsCountedNotGuessed() throws Exception {
    recordSplit();
    CounterfactualReport report =
        replay(
            """
            - name: chat
              policy: rules
              rules: [{name: gold, header: {name: x-tier, value: gold}, route: big}]
              default: big
            - {name: big, models: [large], policy: priority}
            """);
    assertThat(report.replayed()).isZero();
    assertThat(report.skipped()).isEqualTo(Map.of("reads unrecorded header:x-tier", N));
  }

  private static int index(RecordedTraffic.Request request) {
    return Integer.parseInt(request.trace().id().substring("req_".length()));
  }

  private static String decisionLine(String json) {
    try {
      return TraceJson.decisionLine(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static DecisionTrace withPropensity(DecisionTrace t, double propensity) {
    return new DecisionTrace(
        t.id(),
        t.time(),
        t.tenant(),
        t.requestedModel(),
        t.routes(),
        t.policy(),
        t.policyVersion(),
        t.configHash(),
        t.seed(),
        t.signals(),
        t.candidates(),
        t.plan(),
        propensity,
        t.pool(),
        t.attempts(),
        t.usage(),
        t.costUsd(),
        t.stream(),
        t.outcome(),
        t.error(),
        t.flags(),
        t.prompt(),
        t.answer());
  }

  private static DecisionTrace withConfig(DecisionTrace t, String hash) {
    return new DecisionTrace(
        t.id(),
        t.time(),
        t.tenant(),
        t.requestedModel(),
        t.routes(),
        t.policy(),
        t.policyVersion(),
        hash,
        t.seed(),
        t.signals(),
        t.candidates(),
        t.plan(),
        t.propensity(),
        t.pool(),
        t.attempts(),
        t.usage(),
        t.costUsd(),
        t.stream(),
        t.outcome(),
        t.error(),
        t.flags(),
        t.prompt(),
        t.answer());
  }

  @Test
  void anotherConfigsBudgetIsReplayedOnTheRecordedClockAndSaysWhenItWouldHaveRunOut()
      throws Exception {
    recordSplit();
    // Always large: 10 prompt and 100 output tokens at $10 / $30 a million, $0.0031 a request,
    // one request a second; $0.05 a day holds 16 of them.
    CounterfactualReport report =
        replay(
            RecordedRun.config(
                "limits: {tenants: {t: {budget: {usd: 0.05, period: daily}}}}\n",
                """
                - {name: chat, models: [large], policy: priority}
                """));
    assertThat(report.limited()).containsOnlyKeys("tenant:t");
    CounterfactualReport.Limited limited = report.limited().get("tenant:t");
    assertThat(limited.requests()).isEqualTo(N - 16);
    assertThat(limited.code()).isEqualTo("budget_exceeded");
    assertThat(limited.first()).isEqualTo(Instant.ofEpochSecond(1_700_000_016L));
    assertThat(replay("- {name: chat, models: [large], policy: priority}").limited())
        .as("a config without limits refuses nothing")
        .isEmpty();
  }

  @Test
  void anotherConfigsEndUserAndTagLimitsAreReplayedOnTheSubjectsTheTracesRecorded()
      throws Exception {
    store = SqliteTraceStore.open(dir.resolve("traces.db"));
    // Four end users in turn; every other request tagged batch.
    RecordedRun.record(
        store,
        SPLIT,
        N,
        (model, i) -> 1.0,
        i ->
            LimitSubjects.of("user-" + i % 4, "", i % 2 == 0 ? "batch" : "nightly").flag().stream()
                .toList());
    // Always large, $0.0031 a request: $0.01 a day holds three of each user's requests.
    CounterfactualReport byUser =
        replay(
            RecordedRun.config(
                "limits: {per-user: {budget: {usd: 0.01, period: daily}}}\n",
                "- {name: chat, models: [large], policy: priority}\n"));
    assertThat(byUser.limited())
        .as("each user's own budget, the user named by the digest the trace kept")
        .containsOnlyKeys(
            "user:" + digest("user-0"),
            "user:" + digest("user-1"),
            "user:" + digest("user-2"),
            "user:" + digest("user-3"));
    CounterfactualReport.Limited first = byUser.limited().get("user:" + digest("user-0"));
    assertThat(first.requests()).isEqualTo(N / 4 - 3);
    assertThat(first.code()).isEqualTo("budget_exceeded");
    assertThat(first.first()).isEqualTo(Instant.ofEpochSecond(1_700_000_012L));

    CounterfactualReport byTag =
        replay(
            RecordedRun.config(
                "limits: {tags: {batch: {rpm: 10}}}\n",
                "- {name: chat, models: [large], policy: priority}\n"));
    assertThat(byTag.limited()).containsOnlyKeys("tag:batch");
    assertThat(byTag.limited().get("tag:batch").requests())
        .as("only the batch half, 30 a minute against 10")
        .isBetween(N / 2 - N / 2 / 3 - 10, N / 2 - 1);
  }

  private static String digest(String id) {
    return LimitSubjects.recorded(List.of(LimitSubjects.of(id, "", "").flag().orElseThrow()))
        .user();
  }
}
