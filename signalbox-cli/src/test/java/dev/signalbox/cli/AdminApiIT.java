package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API and the dashboard's login over HTTP: who may read them, what a bad filter or an
 * unknown trace gets, and that a login opens a session without ever echoing the key.
 */
class AdminApiIT {
  private static final String ADMIN_KEY = "sb-admin-api-test";
  private static final String TEAM_KEY = "sb-team-api-test";

  @TempDir Path dir;
  private ServeCommand.Running gateway;
  private String base;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  private void start(String auth) throws Exception {
    Path config = dir.resolve("admin.yaml");
    Files.writeString(
        config,
        """
        server: {host: 127.0.0.1, port: 0, reports-dir: %s}
        traces: {path: %s}
        %s
        deployments:
          - {name: sim-a, provider: sim}
        models:
          - {name: m, deployments: [sim-a]}
        routes:
          - {name: auto, models: [m], policy: priority}
        """
            .formatted(dir.resolve("reports"), dir.resolve("traces.db"), auth));
    gateway = ServeCommand.start(Configs.reader().read(config), Configs.reader(), config, 0);
    base = "http://127.0.0.1:" + gateway.server().port();
  }

  private void withKeys() throws Exception {
    start(
        """
        auth:
          admin-key-sha256: %s
          key-store: %s
          keys: [{name: team, key-sha256: %s, tenant: acme}]
        """
            .formatted(
                ConfigReader.sha256(ADMIN_KEY),
                dir.resolve("keys.db"),
                ConfigReader.sha256(TEAM_KEY)));
  }

  @Test
  void theAdminApiNeedsTheAdminKeyOrASessionAndNamesBadInput() throws Exception {
    withKeys();
    assertThat(get("/admin/api/traces", null).statusCode()).isEqualTo(401);
    assertThat(get("/admin/api/traces", TEAM_KEY).statusCode()).isEqualTo(401);
    HttpResponse<String> chat =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("authorization", "Bearer " + TEAM_KEY)
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String id = chat.headers().firstValue("x-signalbox-request-id").orElseThrow();
    gateway.traces().orElseThrow().flush(java.time.Duration.ofSeconds(10));

    JsonNode list = json(get("/admin/api/traces?tenant=acme", ADMIN_KEY), 200);
    assertThat(list.path("data").get(0).path("id").asText()).isEqualTo(id);
    assertThat(list.path("next_before").isNull()).isTrue();
    JsonNode one = json(get("/admin/api/traces/" + id, ADMIN_KEY), 200);
    assertThat(one.path("trace").path("id").asText()).isEqualTo(id);
    assertThat(one.path("explanation").asText()).startsWith("chose m");

    JsonNode bad = json(get("/admin/api/traces?limit=0", ADMIN_KEY), 400);
    assertThat(bad.path("error").path("param").asText()).isEqualTo("limit");
    assertThat(
            json(get("/admin/api/traces?min_cost=x", ADMIN_KEY), 400)
                .path("error")
                .path("param")
                .asText())
        .isEqualTo("min_cost");
    assertThat(
            json(get("/admin/api/overview?baseline=nope", ADMIN_KEY), 400)
                .path("error")
                .path("param")
                .asText())
        .isEqualTo("baseline");
    assertThat(
            json(get("/admin/api/overview?buckets=0", ADMIN_KEY), 400)
                .path("error")
                .path("param")
                .asText())
        .isEqualTo("buckets");
    assertThat(
            json(get("/admin/api/traces/req_nope", ADMIN_KEY), 404)
                .path("error")
                .path("code")
                .asText())
        .isEqualTo("trace_not_found");
    assertThat(get("/admin/api/nothing", ADMIN_KEY).statusCode()).isEqualTo(404);
    JsonNode overview = json(get("/admin/api/overview?baseline=m", ADMIN_KEY), 200);
    assertThat(overview.path("total").path("requests").asLong()).isEqualTo(1);
    assertThat(overview.path("total").path("savings_usd").asDouble()).isZero();

    // A replay names what is wrong with its request, and runs on a valid one.
    assertThat(
            json(replay("{\"trace_ids\":[],\"config\":\"x\"}"), 400)
                .path("error")
                .path("param")
                .asText())
        .isEqualTo("trace_ids");
    JsonNode badConfig =
        json(replay("{\"trace_ids\":[\"" + id + "\"],\"config\":\"routes: 7\"}"), 400);
    assertThat(badConfig.path("error").path("param").asText()).isEqualTo("config");
    String running = gateway.gateway().config().text();
    JsonNode report =
        json(
            replay(
                Json.object()
                    .put("config", running)
                    .set("trace_ids", Json.MAPPER.createArrayNode().add(id))
                    .toString()),
            200);
    assertThat(report.path("replayed").asInt()).isEqualTo(1);
    assertThat(report.path("changed").asInt()).isZero();

    // The login: a wrong key shows the form again; the right one opens a session for the API.
    HttpResponse<String> refused = login("wrong", "/ui/traces");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("role=\"alert\"").contains("value=\"/ui/traces\"");
    HttpResponse<String> signedIn = login(ADMIN_KEY, "//evil.example/ui");
    assertThat(signedIn.statusCode()).isEqualTo(303);
    assertThat(signedIn.headers().firstValue("location")).contains("/ui");
    String cookie = signedIn.headers().firstValue("set-cookie").orElseThrow();
    assertThat(cookie).contains("HttpOnly", "SameSite=Strict").doesNotContain(ADMIN_KEY);
    String session = cookie.substring(0, cookie.indexOf(';'));
    HttpResponse<String> withSession =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/admin/api/pool"))
                .header("cookie", session)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withSession.statusCode()).isEqualTo(200);
    assertThat(json(withSession, 200).path("deployments").has("sim-a")).isTrue();
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/ui/traces"))
                .header("cookie", session)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.body()).contains("/ui/assets/app.js").doesNotContain("id=\"key\"");
    assertThat(get("/ui/traces", null).body()).contains("id=\"key\"");
  }

  @Test
  void aKeylessGatewayServesItsDashboardToItsOwnMachine() throws Exception {
    start("");
    assertThat(get("/admin/api/pool", null).statusCode()).isEqualTo(200);
    assertThat(get("/ui", null).body()).contains("/ui/assets/app.js");
    assertThat(get("/ui/assets/uPlot.js", null).statusCode()).isEqualTo(200);
    assertThat(get("/ui/assets/nothing.js", null).statusCode()).isEqualTo(404);

    // Offline results: an eval report's folder and a replay's JSON, and nothing beside them.
    Path reports = Files.createDirectories(dir.resolve("reports").resolve("eval-mmlu"));
    Files.writeString(reports.resolve("index.html"), "<h1>frontier</h1>");
    Files.writeString(dir.resolve("reports").resolve("replay.json"), "{\"replayed\":3}");
    Files.writeString(dir.resolve("reports").resolve("notes.sh"), "rm -rf /");
    JsonNode listed = json(get("/admin/api/reports", null), 200);
    assertThat(listed.path("reports").findValuesAsText("name"))
        .containsExactlyInAnyOrder("eval-mmlu", "replay.json");
    assertThat(get("/ui/reports/eval-mmlu/index.html", null).body()).isEqualTo("<h1>frontier</h1>");
    assertThat(get("/ui/reports/replay.json", null).body()).isEqualTo("{\"replayed\":3}");
    for (String refused :
        List.of(
            "/ui/reports/notes.sh",
            "/ui/reports/..%2Ftraces.db",
            "/ui/reports/eval-mmlu/..",
            "/ui/reports/.hidden")) {
      assertThat(get(refused, null).statusCode()).as(refused).isEqualTo(404);
    }
  }

  private HttpResponse<String> replay(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/admin/api/replay"))
            .header("authorization", "Bearer " + ADMIN_KEY)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> login(String key, String next) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/ui/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "key="
                        + java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8)
                        + "&next="
                        + java.net.URLEncoder.encode(
                            next, java.nio.charset.StandardCharsets.UTF_8)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return Json.MAPPER.readTree(response.body());
  }
}
