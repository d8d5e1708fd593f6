package dev.signalbox.bench;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Usage;
import dev.signalbox.core.trace.Feedback;
import dev.signalbox.core.trace.SqliteTraceStore;
import dev.signalbox.core.trace.TraceExplorer;
import dev.signalbox.core.trace.TraceQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The dashboard's queries on a large trace store: fills a store with N traces (default 1,000,000)
 * spread over 30 days, shaped like real ones (three candidates, a plan, one or two attempts, a pool
 * snapshot; a fifth of them made with one of 40 virtual keys in 5 teams, one in twenty given
 * feedback), through the store's own write path, then times each explorer search and the overview,
 * reporting the median and the slowest of 20 runs after 3 unrecorded.
 *
 * <p>Usage: {@code ExplorerBenchmark DIR [N]}; the store is kept in DIR, and reused when it already
 * holds N traces.
 */
public final class ExplorerBenchmark {
  private static final String[] ROUTES = {"auto", "cheap", "smart", "code", "support"};
  private static final String[] MODELS = {"nano", "mini", "mid", "large", "frontier", "coder"};
  private static final Instant END = Instant.parse("2026-12-01T00:00:00Z");

  private ExplorerBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    Files.createDirectories(dir);
    Path file = dir.resolve("explorer-traces.db");
    long fillStart = System.nanoTime();
    try (SqliteTraceStore store = SqliteTraceStore.open(file)) {
      int have;
      try (TraceExplorer counting = TraceExplorer.open(file)) {
        have =
            counting
                .overview(END.minus(Duration.ofDays(31)), END, 1)
                .path("total")
                .path("requests")
                .asInt();
      }
      if (have != n) {
        fill(store, n, have);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "store: %,d traces, %.0f MB, ready in %.1f s (filled first when new)%n",
        n,
        Files.size(file) / 1e6,
        (System.nanoTime() - fillStart) / 1e9);
    try (TraceExplorer explorer = TraceExplorer.open(file)) {
      String middle = explorer.search(query(Map.of("limit", "500"))).get(499).path("id").asText();
      Map<String, Supplier<?>> cases = new LinkedHashMap<>();
      cases.put("search, newest 50, no filter", () -> explorer.search(TraceQuery.LATEST));
      cases.put("search, route", () -> explorer.search(query(Map.of("route", "code"))));
      cases.put(
          "search, model + tenant",
          () -> explorer.search(query(Map.of("model", "frontier", "tenant", "tenant-7"))));
      cases.put(
          "search, outcome (1.5% of traces)",
          () -> explorer.search(query(Map.of("outcome", "upstream_failed"))));
      cases.put(
          "search, outcome ok (98.5%, by time)",
          () -> explorer.search(query(Map.of("outcome", "ok"))));
      cases.put(
          "search, key (0.5% of traces)", () -> explorer.search(query(Map.of("key", "key-7"))));
      cases.put(
          "search, team + route (0.8%)",
          () -> explorer.search(query(Map.of("team", "team-3", "route", "code"))));
      cases.put(
          "search, cost >= $0.05 (rare)", () -> explorer.search(query(Map.of("min_cost", "0.05"))));
      cases.put(
          "search, route + latency >= 5 s",
          () -> explorer.search(query(Map.of("route", "smart", "min_latency_ms", "5000"))));
      cases.put(
          "search, one hour a week ago",
          () ->
              explorer.search(
                  query(
                      Map.of(
                          "from", END.minus(Duration.ofDays(7)).toString(),
                          "to",
                              END.minus(Duration.ofDays(7))
                                  .plus(Duration.ofHours(1))
                                  .toString()))));
      cases.put(
          "search, next page (before)",
          () -> explorer.search(query(Map.of("before", middle, "limit", "50"))));
      cases.put(
          "search, tenant with no traces (whole index)",
          () -> explorer.search(query(Map.of("tenant", "nobody"))));
      cases.put("trace by id", () -> explorer.trace(middle));
      cases.put(
          "overview, last 24 h (the page's default)",
          () -> explorer.overview(END.minus(Duration.ofDays(1)), END, 48));
      cases.put(
          "overview, last 7 days", () -> explorer.overview(END.minus(Duration.ofDays(7)), END, 48));
      cases.put(
          "overview, all 30 days",
          () -> explorer.overview(END.minus(Duration.ofDays(30)), END, 60));
      for (Map.Entry<String, Supplier<?>> c : cases.entrySet()) {
        double[] millis = new double[20];
        for (int i = 0; i < 3; i++) {
          consume(c.getValue().get());
        }
        for (int i = 0; i < millis.length; i++) {
          long start = System.nanoTime();
          consume(c.getValue().get());
          millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        System.out.printf(
            Locale.ROOT,
            "%-46s median %8.2f ms   max %8.2f ms%n",
            c.getKey(),
            (millis[9] + millis[10]) / 2,
            millis[millis.length - 1]);
      }
    }
  }

  /** Keeps a result from being unused. */
  private static void consume(Object result) {
    if (result == null) {
      throw new IllegalStateException("no result");
    }
  }

  private static TraceQuery query(Map<String, String> parameters) {
    return TraceQuery.of(parameters);
  }

  private static void fill(SqliteTraceStore store, int n, int have) throws Exception {
    if (have != 0) {
      throw new IllegalStateException(
          "the store holds " + have + " traces, not " + n + ": remove it and run again");
    }
    SplittableRandom random = new SplittableRandom(42);
    long span = Duration.ofDays(30).toMillis();
    SplittableRandom judged = new SplittableRandom(7);
    List<DecisionTrace> batch = new ArrayList<>(10_000);
    for (int i = 0; i < n; i++) {
      batch.add(trace(i, END.minusMillis(span - span * i / n), random));
      if (batch.size() == 10_000 || i == n - 1) {
        store.write(batch);
        store.addAllFeedback(feedback(batch, judged));
        batch.clear();
      }
    }
  }

  /** Feedback on one request in twenty, a minute after it. */
  private static List<Feedback> feedback(List<DecisionTrace> traces, SplittableRandom random) {
    List<Feedback> feedback = new ArrayList<>();
    for (DecisionTrace t : traces) {
      if (random.nextDouble() < 0.05) {
        feedback.add(
            new Feedback(t.id(), random.nextInt(2), "", t.time().plusSeconds(60), Feedback.API));
      }
    }
    return feedback;
  }

  /** A trace shaped like a real one: the {@code i}th of a store, at {@code time}. */
  static DecisionTrace trace(int i, Instant time, SplittableRandom random) {
    String route = ROUTES[random.nextInt(ROUTES.length)];
    String model = MODELS[random.nextInt(MODELS.length)];
    String other = MODELS[(Arrays.asList(MODELS).indexOf(model) + 1) % MODELS.length];
    boolean failed = random.nextDouble() < 0.015;
    boolean keyed = random.nextDouble() < 0.2;
    int key = random.nextInt(40);
    boolean fellBack = !failed && random.nextDouble() < 0.03;
    double latency = Math.exp(5.5 + random.nextGaussian() * 0.9);
    List<AttemptTrace> attempts = new ArrayList<>();
    if (fellBack) {
      attempts.add(new AttemptTrace(0, model, model + "-east", "503", -1, 12, false, "overloaded"));
    }
    attempts.add(
        new AttemptTrace(
            attempts.size(),
            model,
            model + (fellBack ? "-west" : "-east"),
            failed ? "timeout" : "ok",
            latency / 4,
            latency,
            !failed,
            failed ? "no answer within 30 s" : ""));
    long input = 50 + random.nextInt(4000);
    long output = failed ? 0 : 20 + random.nextInt(800);
    Map<String, DeploymentState> pool = new LinkedHashMap<>();
    for (String m : List.of(model, other)) {
      pool.put(
          m + "-east",
          new DeploymentState(
              random.nextInt(8),
              input,
              output,
              0,
              0.01,
              0,
              latency / 4,
              latency / 2,
              12,
              "closed",
              i));
    }
    return new DecisionTrace(
        String.format(Locale.ROOT, "req_%012x%020x", time.toEpochMilli(), (long) i),
        time,
        "tenant-" + random.nextInt(50),
        "auto",
        List.of("auto", route),
        "learned",
        3,
        "4f1c0d7e9a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5",
        random.nextLong(),
        Map.of(
            "prompt_tokens",
            input,
            "max_output_tokens",
            1024,
            "tools",
            false,
            "images",
            false,
            "rule:auto",
            "no rule matched; default route"),
        List.of(
            new CandidateTrace(model, "", 0.8 + random.nextDouble() / 10, "predicted quality"),
            new CandidateTrace(other, "", 0.7 + random.nextDouble() / 10, "predicted quality"),
            new CandidateTrace("tiny", "context window 8000 < " + input + " tokens", 0, "")),
        List.of(new PlanStep(model, model + "-east"), new PlanStep(model, model + "-west")),
        0.9,
        new PoolSnapshot(pool),
        attempts,
        new Usage(input, 0, output, false),
        (input * 0.5 + output * 1.5) / 1e6 * (model.equals("frontier") ? 10 : 1),
        random.nextBoolean(),
        failed ? "upstream_failed" : "ok",
        failed ? "every deployment failed" : "",
        List.of(),
        "",
        "",
        List.of(),
        keyed ? "key-" + key : "",
        keyed ? "team-" + key % 5 : "");
  }
}
