package dev.signalbox.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard's reader must do on every store it reads: {@link TraceExplorerTest} runs it on
 * the SQLite file, {@link PostgresTraceExplorerIT} on a real PostgreSQL database.
 */
abstract class TraceExplorerContract {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  private TraceStore store;
  private TraceExplorer explorer;

  /** Opens the store called {@code name}, empty the first time this test opens it. */
  abstract TraceStore openStore(String name) throws Exception;

  /** Opens a reader of the store called {@code name} (opened first). */
  abstract TraceExplorer openExplorer(String name) throws Exception;

  /** Drops one of a store's tables, named as the SQLite file names it, behind the store's back. */
  abstract void dropTable(String name, String table) throws Exception;

  /**
   * Runs a statement on the store called {@code name}, its tables named as the SQLite file names
   * them.
   */
  abstract void execute(String name, String statement) throws Exception;

  /** How the database runs {@code search}: its plan, in the database's words. */
  abstract String plan(String name, TraceExplorer.Search search) throws Exception;

  /** The names of the summary rows' indexes, as the SQLite file names them. */
  abstract List<String> summaryIndexes(String name) throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = openStore("traces");
    List<DecisionTrace> traces = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      boolean cheap = i % 3 != 0;
      traces.add(
          trace(
              "req_" + String.format("%03d", i),
              T0.plusSeconds(60L * i),
              cheap ? "cheap" : "smart",
              cheap ? "nano" : "frontier",
              i % 10 == 9 ? "upstream_failed" : "ok",
              i < 20 ? "acme" : "globex",
              cheap ? 0.001 : 0.01,
              List.of(),
              i < 20 ? "" : "globex-ops",
              i < 20 ? "" : "ops"));
    }
    traces.add(
        trace(
            "req_refused",
            T0.plusSeconds(60L * 40),
            "cheap",
            "",
            "budget_exceeded",
            "acme",
            0,
            List.of("limits:refused tenant:acme budget_exceeded")));
    store.write(traces);
    store.addFeedback(new Feedback("req_003", 1.0, "", T0, "api"), null);
    store.addFeedback(new Feedback("req_006", 0.0, "", T0, "api"), null);
    explorer = openExplorer("traces");
  }

  @AfterEach
  void close() {
    explorer.close();
    store.close();
  }

  @Test
  void aSearchFiltersNewestFirstAndPagesByTheLastIdSeen() {
    ArrayNode smart = explorer.search(query(Map.of("route", "smart", "limit", "4")));
    assertThat(ids(smart)).containsExactly("req_027", "req_024", "req_021", "req_018");
    smart.forEach(row -> assertThat(row.path("model").asText()).isEqualTo("frontier"));
    ArrayNode next =
        explorer.search(query(Map.of("route", "smart", "limit", "4", "before", "req_018")));
    assertThat(ids(next)).containsExactly("req_015", "req_012", "req_009", "req_006");

    assertThat(ids(explorer.search(query(Map.of("outcome", "upstream_failed")))))
        .containsExactly("req_029", "req_019", "req_009");
    assertThat(explorer.search(query(Map.of("tenant", "globex", "model", "nano"))))
        .allSatisfy(row -> assertThat(row.path("tenant").asText()).isEqualTo("globex"))
        .hasSize(7);
    assertThat(explorer.search(query(Map.of("min_cost", "0.005")))).hasSize(10);
    assertThat(explorer.search(query(Map.of("key", "globex-ops", "limit", "500"))))
        .hasSize(10)
        .allSatisfy(row -> assertThat(row.path("team").asText()).isEqualTo("ops"));
    assertThat(explorer.search(query(Map.of("team", "ops", "route", "smart")))).hasSize(3);
    assertThat(explorer.search(query(Map.of("max_latency_ms", "150", "min_latency_ms", "50"))))
        .hasSize(31 - 1);
    assertThat(
            ids(
                explorer.search(
                    query(
                        Map.of(
                            "from", T0.plusSeconds(60L * 5).toString(),
                            "to", String.valueOf(T0.plusSeconds(60L * 8).toEpochMilli()))))))
        .containsExactly("req_007", "req_006", "req_005");
    JsonNode row = explorer.search(query(Map.of("limit", "1", "route", "cheap"))).get(0);
    assertThat(row.path("chain").asText()).isEmpty();
    assertThat(
            explorer
                .search(query(Map.of("limit", "1", "model", "nano")))
                .get(0)
                .path("chain")
                .asText())
        .isEqualTo("d-nano");
  }

  @Test
  void searchesByOutcomeKeyOrTeamReadIndexesOfTheRowsTheyCanWant() throws Exception {
    assertThat(
            plan("traces", explorer.searchStatement(query(Map.of("outcome", "budget_exceeded")))))
        .contains("trace_rows_failed");
    assertThat(plan("traces", explorer.searchStatement(query(Map.of("key", "globex-ops")))))
        .contains("trace_rows_by_key");
    assertThat(plan("traces", explorer.searchStatement(query(Map.of("team", "ops")))))
        .contains("trace_rows_by_team");
    assertThat(summaryIndexes("traces"))
        .contains("trace_rows_failed", "trace_rows_by_key", "trace_rows_by_team")
        .doesNotContain("trace_rows_outcome", "trace_rows_key", "trace_rows_team");
    // The ordinary outcome is not in that index: found by time instead.
    assertThat(explorer.search(query(Map.of("outcome", "ok", "limit", "500"))))
        .hasSize(27)
        .allSatisfy(row -> assertThat(row.path("outcome").asText()).isEqualTo("ok"));
  }

  @Test
  void aStoreWithTheFullOutcomeKeyAndTeamIndexesHasThemReplacedWhenOpened() throws Exception {
    explorer.close();
    store.close();
    for (String column : List.of("outcome", "key_name", "team")) {
      String index = "trace_rows_" + (column.equals("key_name") ? "key" : column);
      execute("traces", "DROP INDEX IF EXISTS " + index);
      execute("traces", "CREATE INDEX " + index + " ON trace_rows(" + column + ", time_ms, id)");
    }
    assertThat(summaryIndexes("traces")).contains("trace_rows_outcome", "trace_rows_team");
    store = openStore("traces");
    explorer = openExplorer("traces");
    assertThat(summaryIndexes("traces"))
        .contains("trace_rows_failed", "trace_rows_by_key", "trace_rows_by_team")
        .doesNotContain("trace_rows_outcome", "trace_rows_key", "trace_rows_team");
    assertThat(ids(explorer.search(query(Map.of("outcome", "upstream_failed")))))
        .containsExactly("req_029", "req_019", "req_009");
    assertThat(explorer.search(query(Map.of("key", "globex-ops", "limit", "500")))).hasSize(10);
  }

  @Test
  void oneTraceIsReadWithItsFeedback() {
    assertThat(explorer.trace("req_003")).get().asString().contains("\"req_003\"");
    assertThat(explorer.trace("req_nope")).isEmpty();
    JsonNode feedback = explorer.feedback("req_003");
    assertThat(feedback).hasSize(1);
    assertThat(feedback.get(0).path("time").asText()).isEqualTo(T0.toString());
    assertThat(feedback.get(0).path("score").asDouble()).isEqualTo(1.0);
    assertThat(feedback.get(0).path("source").asText()).isEqualTo("api");
  }

  @Test
  void badFiltersAreRefusedNamingThem() {
    assertThatThrownBy(() -> explorer.search(query(Map.of("before", "req_nope"))))
        .isInstanceOf(SignalboxException.class)
        .hasMessageContaining("'before' names no trace")
        .satisfies(e -> assertThat(((SignalboxException) e).param()).contains("before"));
    for (Map<String, String> bad :
        List.of(
            Map.of("limit", "0"),
            Map.of("limit", "501"),
            Map.of("min_cost", "-1"),
            Map.of("max_latency_ms", "fast"),
            Map.of("from", "yesterday"),
            Map.of("colour", "red"))) {
      String name = bad.keySet().iterator().next();
      assertThatThrownBy(() -> query(bad))
          .isInstanceOf(SignalboxException.class)
          .satisfies(e -> assertThat(((SignalboxException) e).param()).contains(name));
    }
  }

  @Test
  void theOverviewSumsSpendErrorsAndFeedbackPerGroupAndBucket() {
    ObjectNode overview = explorer.overview(T0, T0.plusSeconds(3600), 6);
    JsonNode total = overview.path("total");
    assertThat(total.path("requests").asLong()).isEqualTo(31);
    assertThat(total.path("errors").asLong()).isEqualTo(4);
    assertThat(total.path("cost_usd").asDouble()).isCloseTo(20 * 0.001 + 10 * 0.01, within());
    assertThat(total.path("mean_feedback").asDouble()).isEqualTo(0.5);
    JsonNode smart = group(overview.path("by_route"), "smart");
    assertThat(smart.path("requests").asLong()).isEqualTo(10);
    assertThat(smart.path("mean_feedback").asDouble()).isEqualTo(0.5);
    assertThat(smart.path("feedback").asLong()).isEqualTo(2);
    assertThat(group(overview.path("by_tenant"), "globex").path("requests").asLong()).isEqualTo(10);
    assertThat(group(overview.path("by_key"), "globex-ops").path("requests").asLong())
        .isEqualTo(10);
    assertThat(group(overview.path("by_team"), "ops").path("cost_usd").asDouble())
        .isCloseTo(7 * 0.001 + 3 * 0.01, within());
    assertThat(overview.path("bucket_ms").asLong()).isEqualTo(600_000);
    long inSeries = 0;
    for (JsonNode point : overview.path("series")) {
      inSeries += point.path("requests").asLong();
    }
    assertThat(inSeries).isEqualTo(31);
    // A range with fewer requests than the store has feedback: the join starts from the requests.
    JsonNode one = explorer.overview(T0.plusSeconds(180), T0.plusSeconds(240), 1).path("total");
    assertThat(one.path("requests").asLong()).isEqualTo(1);
    assertThat(one.path("mean_feedback").asDouble()).isEqualTo(1.0);
    assertThat(one.path("feedback").asLong()).isEqualTo(1);
    assertThat(
            explorer
                .overview(T0.plusSeconds(7200), T0.plusSeconds(9000), 3)
                .path("total")
                .path("requests")
                .asLong())
        .isZero();
    assertThatThrownBy(() -> explorer.overview(T0, T0, 3)).hasMessageContaining("'to'");
    assertThatThrownBy(() -> explorer.overview(T0, T0.plusSeconds(60), 3, "colour"))
        .hasMessageContaining("'series_by'");
  }

  @Test
  void anOverviewOfDaysAddsTheHourlySumsAndTheCutHoursRowsToTheSameTotals() throws Exception {
    List<DecisionTrace> traces = new ArrayList<>();
    double cost = 0;
    int inRange = 0;
    Instant from = T0.plusSeconds(17 * 60);
    Instant to = T0.plusSeconds(3 * 86_400 + 5 * 60);
    for (int i = 0; i < 800; i++) {
      Instant time = T0.plusSeconds(i * 337L);
      boolean smart = i % 4 == 0;
      double c = smart ? 0.01 : 0.001;
      traces.add(
          trace(
              "req_d" + i,
              time,
              smart ? "smart" : "cheap",
              smart ? "frontier" : "nano",
              "ok",
              "acme",
              c,
              List.of()));
      if (!time.isBefore(from) && time.isBefore(to)) {
        cost += c;
        inRange++;
      }
    }
    try (TraceStore days = openStore("days")) {
      days.write(traces.subList(0, 400));
      days.write(traces.subList(400, 800));
      days.write(traces.subList(0, 10)); // written twice: counted once
    }
    for (boolean rebuilt : List.of(false, true)) {
      if (rebuilt) {
        dropTable("days", "trace_hours");
        openStore("days").close();
      }
      try (TraceExplorer days = openExplorer("days")) {
        ObjectNode overview = days.overview(from, to, 12);
        assertThat(overview.path("total").path("requests").asLong()).isEqualTo(inRange);
        assertThat(overview.path("total").path("cost_usd").asDouble()).isCloseTo(cost, within());
        long byRoute = 0;
        for (JsonNode g : overview.path("by_route")) {
          byRoute += g.path("requests").asLong();
        }
        long inSeries = 0;
        for (JsonNode point : overview.path("series")) {
          inSeries += point.path("requests").asLong();
        }
        assertThat(byRoute).isEqualTo(inRange);
        assertThat(inSeries).isEqualTo(inRange);
        assertThat(group(overview.path("by_model"), "frontier").path("mean_latency_ms").asDouble())
            .isEqualTo(100.0);
        long frontier = 0;
        for (JsonNode point : days.overview(from, to, 12, "model").path("series")) {
          frontier +=
              point.path("name").asText().equals("frontier") ? point.path("requests").asLong() : 0;
        }
        assertThat(frontier)
            .isEqualTo(group(overview.path("by_model"), "frontier").path("requests").asLong());
      }
    }
  }

  @Test
  void refusalsAreCountedByTheScopeThatRefused() {
    assertThat(explorer.refusals(T0, T0.plusSeconds(7200)))
        .containsExactly(Map.entry("tenant:acme", 1L));
  }

  @Test
  void aStoreWrittenBeforeTheSummariesIsSummarisedWhenOpened() throws Exception {
    explorer.close();
    store.close();
    dropTable("traces", "trace_rows");
    store = openStore("traces");
    explorer = openExplorer("traces");
    assertThat(explorer.search(query(Map.of("limit", "500")))).hasSize(31);
    assertThat(explorer.search(query(Map.of("route", "smart")))).hasSize(10);
  }

  private static TraceQuery query(Map<String, String> parameters) {
    return TraceQuery.of(parameters);
  }

  private static List<String> ids(ArrayNode rows) {
    List<String> ids = new ArrayList<>();
    rows.forEach(row -> ids.add(row.path("id").asText()));
    return ids;
  }

  private static JsonNode group(JsonNode groups, String name) {
    for (JsonNode g : groups) {
      if (g.path("name").asText().equals(name)) {
        return g;
      }
    }
    throw new AssertionError("no group " + name + " in " + groups);
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  static DecisionTrace trace(
      String id,
      Instant time,
      String route,
      String model,
      String outcome,
      String tenant,
      double cost,
      List<String> flags) {
    return trace(id, time, route, model, outcome, tenant, cost, flags, "", "");
  }

  static DecisionTrace trace(
      String id,
      Instant time,
      String route,
      String model,
      String outcome,
      String tenant,
      double cost,
      List<String> flags,
      String key,
      String team) {
    List<AttemptTrace> attempts =
        model.isEmpty()
            ? List.of()
            : List.of(
                new AttemptTrace(
                    0,
                    model,
                    "d-" + model,
                    outcome.equals("ok") ? "ok" : "500",
                    40,
                    100,
                    true,
                    ""));
    return new DecisionTrace(
        id,
        time,
        tenant,
        "auto",
        List.of("auto", route),
        "rules",
        1,
        "abc",
        7,
        Map.of(),
        List.of(),
        model.isEmpty() ? List.of() : List.of(new PlanStep(model, "d-" + model)),
        1.0,
        PoolSnapshot.EMPTY,
        attempts,
        new Usage(10, 0, 20, false),
        cost,
        false,
        outcome,
        "",
        flags,
        "",
        "",
        List.of(),
        key,
        team);
  }
}
