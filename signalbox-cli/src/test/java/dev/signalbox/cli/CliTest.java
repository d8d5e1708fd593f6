package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI in process, through picocli. */
@Timeout(60)
class CliTest {
  private static final Path WARM_UP = Path.of("src/main/resources/dev/signalbox/cli/warm-up");

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine(args);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void warmUpTrainsASecondGatewayThroughTheOpenAiAndAnthropicProviders() throws Exception {
    Path upstream = dir.resolve("training.yaml");
    Path front = dir.resolve("front.yaml");
    Files.writeString(upstream, inTempDir(Files.readString(WARM_UP.resolve("simulated.yaml"))));
    Files.writeString(front, inTempDir(Files.readString(WARM_UP.resolve("front.yaml"))));

    Run run =
        run(
            "warm-up",
            "--config",
            upstream.toString(),
            "--front",
            front.toString(),
            "--requests",
            "36");

    assertThat(run.exit()).as(run.err()).isZero();
    Map<String, Integer> answeredBy = new TreeMap<>();
    try (Connection db =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("front-traces.db"));
        ResultSet rows =
            db.createStatement().executeQuery("select json from traces where outcome = 'ok'")) {
      while (rows.next()) {
        for (JsonNode attempt : Json.MAPPER.readTree(rows.getString(1)).path("attempts")) {
          answeredBy.merge(attempt.path("deployment").asText(), 1, Integer::sum);
        }
      }
    }
    assertThat(answeredBy).containsOnlyKeys("openai", "anthropic");
    assertThat(answeredBy.values()).allMatch(count -> count >= 8);
  }

  /** The training configs with their stores moved from the build folder to this test's. */
  /** Traces kept where this test reads them, not in the warm-up's own folder. */
  private String inTempDir(String config) {
    return config.replace("${dir}", dir.toString());
  }

  @Test
  void aNegativeWarmUpIsRefusedBeforeAnythingStarts() {
    Run run =
        run("serve", "--config", "../examples/quickstart.yaml", "--port", "0", "--warm-up", "-1");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--warm-up must be 0 or more");
    assertThat(run.out()).doesNotContain("listening");
  }

  @Test
  void validateAcceptsTheQuickstart() {
    Run run = run("validate", "../examples/quickstart.yaml");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("valid (6 deployments, 4 models, 7 routes");
  }

  @Test
  void everyProviderExampleIsValid() throws Exception {
    List<Path> examples;
    try (var files = Files.list(Path.of("../examples/providers"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).hasSizeGreaterThanOrEqualTo(6);
    for (Path example : examples) {
      Run run = run("validate", "--without-secrets", example.toString());
      assertThat(run.exit()).as(example + ": " + run.err()).isZero();
    }
    Run withoutKey = run("validate", "../examples/providers/azure-openai.yaml");
    assertThat(withoutKey.exit()).isEqualTo(2);
    assertThat(withoutKey.err())
        .contains(
            "deployments[0].header-env.api-key: environment variable 'AZURE_OPENAI_API_KEY' is not"
                + " set");
  }

  @Test
  void validateReportsEveryProblemWithAnExitCodeOfTwo() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        "models:\n"
            + "  - {name: m, deployments: [nowhere]}\n"
            + "routes:\n"
            + "  - {name: r, models: [m, x], policy: fastest}\n");
    Run run = run("validate", bad.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "3 problems",
            // "preferred" is the test class path's plug-in (see CustomPolicyTest).
            "routes[0].policy: unknown policy 'fastest' (known: bandit, cascade, cheapest,"
                + " objective, preferred, priority, rules, score, threshold, weighted)",
            "models[0].deployments[0]: unknown deployment 'nowhere' (known: )",
            "routes[0].models[1]: unknown model 'x' (known: m)");
  }

  @Test
  void serveRefusesAnInvalidConfigWithTheSameReport() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "routes:\n  - {name: r, models: [ghost]}\n");
    Run run = run("serve", "--config", bad.toString(), "--port", "0");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "refusing to serve an invalid config",
            "routes[0].models[0]: unknown model 'ghost' (known: )");
  }

  @Test
  void validateNamesAMissingFile() {
    Run run = run("validate", dir.resolve("nope.yaml").toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("nope.yaml: 1 problem", "file not found");
  }

  @Test
  void tracesListsShowsAndExportsWhatServeRecorded() throws Exception {
    Path config = dir.resolve("c.yaml");
    Files.writeString(
        config,
        """
        traces: {path: %s}
        deployments:
          - {name: d, provider: sim, sim: {time-to-first-token-ms: {median: 1}, ms-per-token: {median: 0}}}
        models:
          - {name: m, deployments: [d], pricing: {input: 1, output: 1}}
        routes:
          - {name: split, models: [m], policy: weighted}
        """
            .formatted(dir.resolve("t.db")));
    ServeCommand.Running running =
        ServeCommand.start(Configs.reader().read(config), Configs.reader(), config, 0);
    var client = java.net.http.HttpClient.newHttpClient();
    String id;
    try {
      var response =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(
                          "http://127.0.0.1:" + running.server().port() + "/v1/chat/completions"))
                  .header("content-type", "application/json")
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"split\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      id = response.headers().firstValue("x-signalbox-request-id").orElseThrow();
      running.traces().orElseThrow().flush(Duration.ofSeconds(10));
    } finally {
      running.stop();
    }
    Run list = run("traces", "--config", config.toString());
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains(id, "split", "ok");
    Run show = run("traces", "--store", dir.resolve("t.db").toString(), id);
    assertThat(show.out()).contains("\"policy\" : \"weighted\"", "\"propensity\" : 1.0");
    Path export = dir.resolve("decisions.jsonl");
    Run exported =
        run(
            "traces",
            "--store",
            dir.resolve("t.db").toString(),
            "--export",
            export.toString(),
            "--decisions");
    assertThat(exported.out()).contains("wrote 1 traces");
    assertThat(Files.readString(export))
        .startsWith("{\"id\":\"" + id + "\",\"requested_model\":\"split\"")
        .doesNotContain("attempts");
    assertThat(run("traces", "--store", dir.resolve("t.db").toString(), "req_missing").exit())
        .isEqualTo(1);
  }

  @Test
  void helpListsTheCommands() {
    assertThat(run("--help").out())
        .contains("serve", "validate", "traces", "eval", "replay", "train", "config", "help");
    assertThat(run("help", "validate").out()).contains("--without-secrets");
  }

  @Test
  void aCallNamingACommandBuildsOnlyThatOne() {
    assertThat(Main.commandLine(new String[] {"validate", "--help"}).getSubcommands())
        .containsOnlyKeys("validate");
    assertThat(Main.commandLine(new String[] {"--version"}).getSubcommands())
        .containsKeys("serve", "validate", "warm-up", "help");
  }

  @Test
  void anUnknownCommandIsRefusedWithTheCommandsListed() {
    Run run = run("serv");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("serv").contains("serve");
  }
}
