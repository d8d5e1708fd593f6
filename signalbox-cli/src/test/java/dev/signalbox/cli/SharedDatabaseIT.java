package dev.signalbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways sharing one real PostgreSQL database on loopback: a key made on one works on the
 * other at once, its rotation and revocation reach the other within a refresh, and both write one
 * trace store that feedback, the dashboard, {@code traces} and {@code replay} read whole, and a
 * conversation stored through {@code /v1/responses} on one continues on the other.
 */
@Timeout(120)
class SharedDatabaseIT {
  private static final String ADMIN_KEY = "sb-shared-admin";

  @TempDir static Path dir;
  static PostgresServer postgres;
  static ServeCommand.Running a;
  static ServeCommand.Running b;
  static Path configA;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    postgres = new PostgresServer();
    configA = replicaConfig("a");
    a = ServeCommand.start(Configs.reader().read(configA), Configs.reader(), configA, 0);
    Path configB = replicaConfig("b");
    b = ServeCommand.start(Configs.reader().read(configB), Configs.reader(), configB, 0);
  }

  /** A replica's config: its own files for what is not shared, the one database for the rest. */
  private static Path replicaConfig(String name) throws Exception {
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(
        config,
        """
        server: {host: 127.0.0.1, port: 0, access-log: false}
        auth: {admin-key-sha256: %s, key-store: %s}
        traces: {path: %s}
        responses: {path: %s}
        database: {url: "%s"}
        deployments:
          - {name: sim-a, provider: sim}
        models:
          - {name: m, deployments: [sim-a], pricing: {input: 1, output: 2}}
        routes:
          - {name: auto, models: [m], policy: priority}
        """
            .formatted(
                ConfigReader.sha256(ADMIN_KEY),
                dir.resolve(name + "-keys.db"),
                dir.resolve(name + "-traces.db"),
                dir.resolve(name + "-responses.db"),
                postgres.jdbcUrl()));
    return config;
  }

  @AfterAll
  static void stop() throws Exception {
    if (a != null) {
      a.stop();
    }
    if (b != null) {
      b.stop();
    }
    postgres.close();
  }

  private static String base(ServeCommand.Running replica) {
    return "http://127.0.0.1:" + replica.server().port();
  }

  private HttpResponse<String> send(
      ServeCommand.Running replica, String method, String path, String key, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base(replica) + path))
            .header("content-type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private int chat(ServeCommand.Running replica, String key) throws Exception {
    return send(
            replica,
            "POST",
            "/v1/chat/completions",
            key,
            "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .statusCode();
  }

  private JsonNode admin(ServeCommand.Running replica, String method, String path, String body)
      throws Exception {
    HttpResponse<String> response = send(replica, method, path, ADMIN_KEY, body);
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    return Json.MAPPER.readTree(response.body());
  }

  /** Polls until {@code status} gives {@code expected} or 10 s pass; the last status. */
  private static int awaitStatus(IntSupplier status, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int last;
    while ((last = status.getAsInt()) != expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return last;
  }

  private IntSupplier chatting(ServeCommand.Running replica, String key) {
    return () -> {
      try {
        return chat(replica, key);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  @Test
  void aKeyMadeOnOneReplicaServesOnTheOtherAndItsRevocationReachesIt() throws Exception {
    JsonNode made =
        admin(a, "POST", "/admin/keys", "{\"name\":\"shared-team\",\"tenant\":\"acme\"}");
    String id = made.path("id").asText();
    String secret = made.path("key").asText();
    assertThat(chat(b, secret)).as("B knows A's new key at once").isEqualTo(200);
    assertThat(admin(b, "GET", "/admin/keys", null).toString()).contains(id).doesNotContain(secret);

    String rotated = admin(a, "POST", "/admin/keys/" + id + "/rotate", "{}").path("key").asText();
    assertThat(chat(b, rotated)).as("the rotated secret works on B at once").isEqualTo(200);
    assertThat(awaitStatus(chatting(b, secret), 401))
        .as("the old secret stops working on B within a refresh")
        .isEqualTo(401);

    admin(a, "DELETE", "/admin/keys/" + id, null);
    assertThat(awaitStatus(chatting(b, rotated), 401))
        .as("the revocation reaches B within a refresh")
        .isEqualTo(401);
    assertThat(admin(b, "GET", "/admin/keys/" + id, null).path("revoked_at").isTextual()).isTrue();
  }

  @Test
  void aConversationStoredOnOneReplicaContinuesOnTheOther() throws Exception {
    String secret =
        admin(a, "POST", "/admin/keys", "{\"name\":\"talker\",\"tenant\":\"chat\"}")
            .path("key")
            .asText();
    HttpResponse<String> first =
        send(
            a,
            "POST",
            "/v1/responses",
            secret,
            "{\"model\":\"auto\",\"input\":\"my name is Ada\",\"max_output_tokens\":8}");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    String id = Json.MAPPER.readTree(first.body()).path("id").asText();

    HttpResponse<String> next =
        send(
            b,
            "POST",
            "/v1/responses",
            secret,
            "{\"model\":\"auto\",\"previous_response_id\":\""
                + id
                + "\",\"input\":\"what is my name?\",\"max_output_tokens\":8}");
    assertThat(next.statusCode()).as("B continues A's response: %s", next.body()).isEqualTo(200);
    String nextId = Json.MAPPER.readTree(next.body()).path("id").asText();
    HttpResponse<String> items =
        send(a, "GET", "/v1/responses/" + nextId + "/input_items", secret, null);
    assertThat(items.statusCode()).as(items.body()).isEqualTo(200);
    assertThat(items.body())
        .as("A reads the conversation B stored: A's input, its answer, B's input")
        .contains("my name is Ada")
        .contains("what is my name?");

    assertThat(send(b, "DELETE", "/v1/responses/" + id, secret, null).statusCode()).isEqualTo(200);
    assertThat(send(a, "GET", "/v1/responses/" + id, secret, null).statusCode())
        .as("deleted on B, gone on A")
        .isEqualTo(404);
  }

  @Test
  void bothReplicasWriteOneTraceStoreThatEveryReaderSees() throws Exception {
    String secret =
        admin(a, "POST", "/admin/keys", "{\"name\":\"tracer\",\"tenant\":\"tracing\"}")
            .path("key")
            .asText();
    List<String> ids = new ArrayList<>();
    for (ServeCommand.Running replica : List.of(a, b, a, b)) {
      HttpResponse<String> answer =
          send(
              replica,
              "POST",
              "/v1/chat/completions",
              secret,
              "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertThat(answer.statusCode()).isEqualTo(200);
      ids.add(answer.headers().firstValue("x-signalbox-request-id").orElseThrow());
    }
    assertThat(a.traces().orElseThrow().flush(Duration.ofSeconds(10))).isTrue();
    assertThat(b.traces().orElseThrow().flush(Duration.ofSeconds(10))).isTrue();

    HttpResponse<String> feedback =
        send(
            b,
            "POST",
            "/v1/feedback",
            secret,
            "{\"request_id\":\"" + ids.get(0) + "\",\"score\":0.75}");
    assertThat(feedback.statusCode())
        .as("B takes feedback on A's request: %s", feedback.body())
        .isEqualTo(200);

    JsonNode searched = admin(b, "GET", "/admin/api/traces?key=tracer&limit=50", null);
    List<String> found = new ArrayList<>();
    searched.path("data").forEach(row -> found.add(row.path("id").asText()));
    assertThat(found)
        .as("B's dashboard finds both replicas' requests")
        .containsExactlyInAnyOrderElementsOf(ids);
    JsonNode shownOnB = admin(b, "GET", "/admin/api/traces/" + ids.get(0), null);
    assertThat(shownOnB.path("trace").path("tenant").asText()).isEqualTo("tracing");
    assertThat(shownOnB.path("feedback").get(0).path("score").asDouble()).isEqualTo(0.75);
    assertThat(admin(a, "GET", "/admin/api/overview", null).path("by_key").findValuesAsText("name"))
        .as("A's overview counts B's requests too")
        .contains("tracer");

    CliTest.Run listed = CliTest.run("traces", "--config", configA.toString(), "--limit", "50");
    assertThat(listed.exit()).as(listed.err()).isZero();
    for (String traced : ids) {
      assertThat(listed.out()).as("both replicas' traces, in one store").contains(traced);
    }
    assertThat(listed.out().lines().filter(line -> line.startsWith(ids.get(0))))
        .as("with the feedback B took on A's request")
        .singleElement()
        .asString()
        .endsWith("0.75");
    CliTest.Run shown = CliTest.run("traces", "--store", postgres.jdbcUrl(), ids.get(1));
    assertThat(shown.exit()).as(shown.err()).isZero();
    assertThat(shown.out()).contains("\"tenant\" : \"tracing\"");

    CliTest.Run replayed = CliTest.run("replay", "--store", postgres.jdbcUrl());
    assertThat(replayed.exit()).as(replayed.err()).isZero();
    assertThat(replayed.out())
        .as("replay reads both replicas' decisions, and names no credentials")
        .containsPattern("replayed \\d+ decisions from jdbc:postgresql://127\\.0\\.0\\.1:\\d+/")
        .contains(" 0 different");
  }
}
