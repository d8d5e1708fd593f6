package dev.signalbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.config.ConfigReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Virtual keys through the admin API on the real server: made, used, limited, rotated, revoked. */
@Timeout(60)
class AdminKeysIT {
  private static final String CHAT =
      "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  GatewayHarness gateway;

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  private static final String ADMINED =
      """
      auth:
        admin-key-sha256: %s
      """
              .formatted(ConfigReader.sha256(ServerApiIT.ADMIN_KEY))
          + ServerApiIT.POOL;

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return gateway.client.send(
        HttpRequest.newBuilder(gateway.uri(path))
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + ServerApiIT.ADMIN_KEY)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> chat(String key) throws Exception {
    return gateway.post("/v1/chat/completions", CHAT, "authorization", "Bearer " + key);
  }

  @Test
  void aKeyIsMadeUsedLimitedRotatedAndRevokedAndItsSecretShownOnce() throws Exception {
    gateway = new GatewayHarness(ADMINED);
    HttpResponse<String> made =
        send(
            "POST",
            "/admin/keys",
            "{\"name\":\"ci\",\"tenant\":\"acme\",\"routes\":[\"auto\"],\"limits\":{\"rpm\":2}}");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    JsonNode key = GatewayHarness.json(made);
    String id = key.path("id").asText();
    String secret = key.path("key").asText();
    assertThat(secret).startsWith("sb-").hasSize(51);
    assertThat(key.path("prefix").asText()).isEqualTo(secret.substring(0, 10));
    assertThat(key.path("limits").path("rpm").asInt()).isEqualTo(2);

    // Keys exist now: a caller without one is refused, the new key serves its tenant.
    assertThat(gateway.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(401);
    HttpResponse<String> served = chat(secret);
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    assertThat(gateway.trace(served).path("tenant").asText()).isEqualTo("acme");
    assertThat(chat(secret).statusCode()).isEqualTo(200);
    HttpResponse<String> limited = chat(secret);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(GatewayHarness.json(limited).path("error").path("param").asText())
        .isEqualTo("key:ci");

    HttpResponse<String> list =
        gateway.get("/admin/keys", "authorization", "Bearer " + ServerApiIT.ADMIN_KEY);
    assertThat(GatewayHarness.json(list).path("data")).hasSize(1);
    assertThat(list.body()).doesNotContain(secret).doesNotContain("sha256");

    HttpResponse<String> patched = send("PATCH", "/admin/keys/" + id, "{\"limits\":{\"rpm\":100}}");
    assertThat(GatewayHarness.json(patched).path("limits").path("rpm").asInt()).isEqualTo(100);
    assertThat(chat(secret).statusCode()).isEqualTo(200);

    HttpResponse<String> rotated =
        send("POST", "/admin/keys/" + id + "/rotate", "{\"grace_seconds\":3600}");
    String next = GatewayHarness.json(rotated).path("key").asText();
    assertThat(next).isNotEqualTo(secret);
    assertThat(chat(secret).statusCode()).as("the old key, within its grace").isEqualTo(200);
    assertThat(chat(next).statusCode()).isEqualTo(200);
    send("POST", "/admin/keys/" + id + "/rotate", "{\"grace_seconds\":0}");
    assertThat(chat(next).statusCode()).as("rotated with no grace").isEqualTo(401);

    HttpResponse<String> revoked = send("DELETE", "/admin/keys/" + id, "");
    assertThat(GatewayHarness.json(revoked).path("revoked_at").isTextual()).isTrue();
    assertThat(send("PATCH", "/admin/keys/" + id, "{\"name\":\"x\"}").statusCode()).isEqualTo(400);

    assertThat(gateway.accessLog()).doesNotContain(secret).doesNotContain(next);
    assertThat(gateway.trace(served).toString()).doesNotContain(secret);
  }

  @Test
  void badInputIsA400NamingTheFieldAndMakesNoKey() throws Exception {
    gateway = new GatewayHarness(ADMINED);
    String[][] cases = {
      {"{\"name\":\"\"}", "name"},
      {"{\"tenant\":\"acme\"}", "name"},
      {"{\"name\":\"x\",\"routes\":[\"nope\"]}", "routes[0]"},
      {"{\"name\":\"x\",\"limits\":{\"rpm\":0}}", "limits.rpm"},
      {
        "{\"name\":\"x\",\"limits\":{\"budget\":{\"usd\":1,\"period\":\"hourly\"}}}",
        "limits.budget.period"
      },
      {"{\"name\":\"x\",\"limits\":{\"rps\":1}}", "limits.rps"},
      {"{\"name\":\"x\",\"expires_at\":\"2001-01-01T00:00:00Z\"}", "expires_at"},
      {"{\"name\":\"x\",\"expires_at\":\"tomorrow\"}", "expires_at"},
      {"{\"name\":\"x\",\"owner\":\"me\"}", "owner"},
    };
    for (String[] c : cases) {
      HttpResponse<String> refused = send("POST", "/admin/keys", c[0]);
      assertThat(refused.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(GatewayHarness.json(refused).path("error").path("param").asText())
          .as(c[0])
          .isEqualTo(c[1]);
    }
    assertThat(
            GatewayHarness.json(
                    gateway.get("/admin/keys", "authorization", "Bearer " + ServerApiIT.ADMIN_KEY))
                .path("data"))
        .isEmpty();
    assertThat(send("GET", "/admin/keys/key_nothing", "").statusCode()).isEqualTo(404);
  }

  @Test
  void withAnAdminKeyConfiguredTheKeyApiNeedsIt() throws Exception {
    gateway = new GatewayHarness(ADMINED);
    assertThat(gateway.post("/admin/keys", "{\"name\":\"ci\"}").statusCode()).isEqualTo(401);
    assertThat(send("POST", "/admin/keys", "{\"name\":\"ci\"}").statusCode()).isEqualTo(201);
  }

  @Test
  void withoutAnAdminKeyOnlyAFirstKeyCanBeMadeFromLoopback() throws Exception {
    gateway = new GatewayHarness(ServerApiIT.POOL);
    HttpResponse<String> first = gateway.post("/admin/keys", "{\"name\":\"first\"}");
    assertThat(first.statusCode()).isEqualTo(201);
    HttpResponse<String> second = gateway.post("/admin/keys", "{\"name\":\"second\"}");
    assertThat(second.statusCode()).isEqualTo(403);
    assertThat(GatewayHarness.json(second).path("error").path("code").asText())
        .isEqualTo("admin_key_required");
  }
}
