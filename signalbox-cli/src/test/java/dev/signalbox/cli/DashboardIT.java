package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.wire.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core from the pinned
 * {@link NodeClients}) over the quickstart's simulated models with an admin key, a team key and a
 * tenant budget: the page's numbers are checked against the trace store as the admin API returns
 * it. Screenshots are kept in target/dashboard-screenshots.
 */
@Timeout(600)
class DashboardIT {
  private static final String ADMIN_KEY = "sb-admin-dashboard-test";
  private static final String TEAM_KEY = "sb-team-dashboard-test";
  private static final int REQUESTS = 12;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aPersonSignsInAndReadsTheDecisionsThePoolAndTheBudgets() throws Exception {
    Path clients = NodeClients.installed();
    Path config = dir.resolve("dashboard.yaml");
    Files.writeString(
        config,
        Files.readString(Path.of("..", "examples", "quickstart.yaml"))
                .replace("path: .signalbox/traces.db", "path: " + dir.resolve("traces.db"))
                .replace("path: .signalbox/responses.db", "path: " + dir.resolve("responses.db"))
                .replace("  port: 8080", "  port: 8080\n  reports-dir: " + dir.resolve("reports"))
            + """

            auth:
              admin-key-sha256: %s
              key-store: %s
              keys:
                - {name: team-a, key-sha256: %s, tenant: acme, team: platform}
            limits:
              tenants: {acme: {budget: {usd: 5, period: daily}}}
            """
                .formatted(
                    ConfigReader.sha256(ADMIN_KEY),
                    dir.resolve("keys.db"),
                    ConfigReader.sha256(TEAM_KEY)));
    ServeCommand.Running gateway =
        ServeCommand.start(Configs.reader().read(config), Configs.reader(), config, 0);
    String base = "http://127.0.0.1:" + gateway.server().port();
    try {
      for (int i = 0; i < REQUESTS; i++) {
        HttpResponse<String> answer =
            send(
                HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .header("authorization", "Bearer " + TEAM_KEY)
                    .header("content-type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\""
                                + (i % 3 == 0
                                    ? "Prove that there are infinitely many primes, step by step."
                                    : "Say hi number " + i)
                                + "\"}]}")));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      }
      assertThat(gateway.traces().orElseThrow().flush(Duration.ofSeconds(10))).isTrue();
      JsonNode newest = admin(base, "traces?limit=1").path("data").get(0);
      String id = newest.path("id").asText();
      JsonNode decision = admin(base, "traces/" + id);
      JsonNode trace = decision.path("trace");
      String route = "cheap";
      List<String> sameRoute = new ArrayList<>();
      double[] recordedCost = {0};
      admin(base, "traces?route=" + URLEncoder.encode(route, StandardCharsets.UTF_8))
          .path("data")
          .forEach(
              row -> {
                sameRoute.add(row.path("id").asText());
                recordedCost[0] += row.path("cost_usd").asDouble();
              });
      assertThat(sameRoute).hasSizeBetween(1, REQUESTS - 1);
      // An offline result to list and open: the replay report of these traces under the
      // quickstart with its default route made the strong one, as `replay --json` prints it.
      Path reports = Files.createDirectories(dir.resolve("reports"));
      Path smart = dir.resolve("smart.yaml");
      Files.writeString(
          smart, Files.readString(config).replace("    default: cheap", "    default: smart"));
      CliTest.Run replay =
          CliTest.run(
              "replay",
              "--store",
              dir.resolve("traces.db").toString(),
              "--with",
              smart.toString(),
              "--json");
      assertThat(replay.exit()).as(replay.err()).isZero();
      Files.writeString(reports.resolve("default-smart.json"), replay.out());
      Path shots = Path.of("target", "dashboard-screenshots").toAbsolutePath();
      Files.createDirectories(shots);

      Processes.Result browser =
          Processes.run(
              clients,
              Duration.ofMinutes(3),
              "node",
              "dashboard.mjs",
              Json.object()
                  .put("base", base)
                  .put("key", ADMIN_KEY)
                  .put("trace", id)
                  .put("route", route)
                  .put("scope", "tenant:acme")
                  .put("shots", shots.toString())
                  .toString());
      assertThat(browser.exitCode()).as(browser.output()).isZero();
      String line =
          browser
              .output()
              .lines()
              .filter(l -> l.startsWith("observed "))
              .findFirst()
              .orElseThrow(() -> new AssertionError(browser.output()));
      JsonNode seen = Json.MAPPER.readTree(line.substring("observed ".length()));

      assertThat(seen.path("errors")).as("the page's own errors").isEmpty();
      assertThat(seen.path("loginRefused").asText()).isEqualTo("Incorrect key provided.");
      assertThat(seen.path("decisionUrl").asText()).isEqualTo(base + "/ui/trace/" + id);
      assertThat(seen.path("explanation").asText())
          .isEqualTo(decision.path("explanation").asText())
          .startsWith("chose " + trace.path("plan").get(0).path("model").asText());
      JsonNode facts = seen.path("facts");
      assertThat(facts.path("Cost").asText()).isEqualTo(usd(trace.path("cost_usd").asDouble()));
      assertThat(facts.path("Outcome").asText()).isEqualTo(trace.path("outcome").asText());
      assertThat(facts.path("Tenant").asText()).isEqualTo("acme");
      assertThat(facts.path("Tokens").asText())
          .startsWith(
              trace.path("usage").path("prompt_tokens").asLong()
                  + " in, "
                  + trace.path("usage").path("completion_tokens").asLong()
                  + " out");
      assertThat(seen.path("chosen").get(0).asText())
          .isEqualTo(trace.path("plan").get(0).path("model").asText() + " (chosen)");
      assertThat(seen.path("attempts")).hasSize(trace.path("attempts").size());

      assertThat(seen.path("cards").path("Requests").asText()).isEqualTo(String.valueOf(REQUESTS));
      assertThat(seen.path("overviewRoutes").toString()).contains("\"" + route + "\"");
      assertThat(seen.path("overviewKeys").get(0).get(0).asText()).isEqualTo("team-a");
      assertThat(seen.path("overviewKeys").get(0).get(1).asText())
          .isEqualTo(String.valueOf(REQUESTS));
      assertThat(seen.path("overviewTeams").get(0).asText()).isEqualTo("platform");
      assertThat(facts.path("Key").asText()).isEqualTo("team-a (team platform)");
      List<String> deployments = new ArrayList<>();
      seen.path("pool").forEach(row -> deployments.add(row.get(0).asText()));
      assertThat(deployments)
          .containsExactlyInAnyOrderElementsOf(gateway.gateway().config().deployments().keySet());
      seen.path("pool").forEach(row -> assertThat(row.get(1).asText()).isEqualTo("closed"));

      assertThat(seen.path("searchUrl").asText())
          .startsWith(base + "/ui/traces?")
          .contains("route=" + route);
      seen.path("searchRoutes").forEach(r -> assertThat(r.asText()).isEqualTo(route));
      List<String> shownIds = new ArrayList<>();
      seen.path("searchIds").forEach(i -> shownIds.add(i.asText()));
      assertThat(shownIds).isEqualTo(sameRoute);
      // The replay under the edited config: every one of those requests now goes the strong way.
      assertThat(seen.path("replayEdited").asBoolean()).isTrue();
      int n = sameRoute.size();
      assertThat(seen.path("replaySummary").asText())
          .startsWith("Replayed " + n + " of " + n + " decisions: " + n + " would change");
      JsonNode cost = seen.path("replayRows").get(0);
      assertThat(cost.get(1).asText()).isEqualTo(usd(recordedCost[0]));
      assertThat(Double.parseDouble(cost.get(2).asText().substring(1)))
          .isGreaterThan(recordedCost[0]);
      assertThat(seen.path("badFilter").asText()).contains("'min_cost' must be a number");
      assertThat(seen.path("badFilterMarked").asText()).isEqualTo("true");

      JsonNode scope = seen.path("scope");
      assertThat(scope.get(0).asText()).isEqualTo("tenant:acme");
      assertThat(scope.get(1).asText()).contains("$5.0000 per day");
      JsonNode limits = admin(base, "limits").path("scopes").get(0);
      assertThat(scope.get(2).asText()).isEqualTo(usd(limits.path("spent_usd").asDouble()));
      assertThat(limits.path("spent_usd").asDouble()).isPositive();

      assertThat(seen.path("reports").toString()).contains("default-smart.json", "replay");
      assertThat(Json.MAPPER.readTree(seen.path("openedReport").asText()))
          .isEqualTo(Json.MAPPER.readTree(replay.out()));

      for (String shot :
          List.of(
              "1-login-refused",
              "2-decision",
              "3-overview",
              "4-pool",
              "5-decisions",
              "6-replay",
              "7-limits",
              "8-reports")) {
        assertThat(shots.resolve(shot + ".png")).isNotEmptyFile();
      }
    } finally {
      gateway.stop();
    }
  }

  /** As the page writes dollars. */
  private static String usd(double value) {
    return String.format(
        Locale.ROOT, value != 0 && Math.abs(value) < 0.01 ? "$%.6f" : "$%.4f", value);
  }

  private JsonNode admin(String base, String path) throws Exception {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(base + "/admin/api/" + path))
                .header("authorization", "Bearer " + ADMIN_KEY)
                .GET());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
