package dev.signalbox.server;

import static dev.signalbox.testing.ScriptedUpstreamServer.json;
import static dev.signalbox.testing.ScriptedUpstreamServer.keepAlive;
import static dev.signalbox.testing.ScriptedUpstreamServer.sse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.ScriptedUpstreamServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a provider says in its errors does not carry the gateway's key anywhere: not to the client
 * (whole answers and streams), not to the access log, not to the trace store. And a provider that
 * refuses the key with a kept-alive body does not hold the request for its timeout.
 */
@Timeout(60)
class UpstreamSecretsIT {
  /** Shaped like a provider key. */
  static final String SHAPED_KEY = "sk-proj-Zq8v1xW3e5r7t9y0u2i4o6p8";

  /** Not shaped like any key: only knowing it is configured can catch it. */
  static final String PLAIN_KEY = "correct-horse-battery-staple-42";

  static final String ECHO =
      "{\"error\":{\"message\":\"Incorrect API key provided: %s (Authorization: Bearer %s)\"}}";

  private static String config(String provider, String url) {
    return """
    deployments:
      - {name: up, provider: %s, base-url: '%s', api-key-env: UP_KEY, request-timeout: 20s}
    models:
      - {name: m, deployments: [up], pricing: {input: 1, output: 2}}
    routes:
      - {name: auto, models: [m], policy: priority, max-attempts: 1}
    """
        .formatted(provider, url);
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {400, 404, 422, 429, 500, 502, 301})
  void aKeyEchoedInAnErrorReachesNoClientLogOrTrace(int status) throws Exception {
    for (String key : List.of(SHAPED_KEY, PLAIN_KEY)) {
      try (ScriptedUpstreamServer upstream =
              new ScriptedUpstreamServer(json(status, ECHO.formatted(key, key)));
          GatewayHarness gateway =
              new GatewayHarness(config("openai", upstream.baseUrl()), Map.of("UP_KEY", key))) {
        HttpResponse<String> response = gateway.chat("auto", false);
        assertThat(response.statusCode()).isGreaterThanOrEqualTo(400);
        assertSecretKept(key, response.body(), gateway, response);
      }
    }
  }

  @Test
  void aKeyEchoedByAnthropicReachesNoClientLogOrTrace() throws Exception {
    String body =
        "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad key"
            + " sk-ant-api03-AbCdEfGh12345678\"}}";
    try (ScriptedUpstreamServer upstream = new ScriptedUpstreamServer(json(400, body));
        GatewayHarness gateway =
            new GatewayHarness(
                config("anthropic", upstream.baseUrl()),
                Map.of("UP_KEY", "sk-ant-api03-AbCdEfGh12345678"))) {
      HttpResponse<String> response = gateway.chat("auto", false);
      assertSecretKept("sk-ant-api03-AbCdEfGh12345678", response.body(), gateway, response);
    }
  }

  @Test
  void aKeyInAStreamedErrorEventReachesNoClientLogOrTrace() throws Exception {
    try (ScriptedUpstreamServer upstream =
            new ScriptedUpstreamServer(
                sse(
                    Duration.ZERO,
                    FaultMatrixIT.CHUNK.formatted("partial"),
                    "data: " + ECHO.formatted(PLAIN_KEY, PLAIN_KEY)));
        GatewayHarness gateway =
            new GatewayHarness(config("openai", upstream.baseUrl()), Map.of("UP_KEY", PLAIN_KEY))) {
      HttpResponse<String> response = gateway.chat("auto", true);
      assertThat(response.body()).contains("partial").contains("error");
      assertSecretKept(PLAIN_KEY, response.body(), gateway, response);
    }
  }

  @Test
  void aRefusedKeyWithAKeptAliveBodyIsAnsweredAtOnce() throws Exception {
    try (ScriptedUpstreamServer refusing =
            new ScriptedUpstreamServer(keepAlive(401, ECHO.formatted(PLAIN_KEY, PLAIN_KEY)));
        GatewayHarness gateway =
            new GatewayHarness(
                """
                deployments:
                  - {name: revoked, provider: openai, base-url: '%s', api-key-env: UP_KEY, request-timeout: 30s}
                models:
                  - {name: m, deployments: [revoked]}
                """
                    .formatted(refusing.baseUrl()),
                Map.of("UP_KEY", PLAIN_KEY))) {
      long start = System.nanoTime();
      HttpResponse<String> response = gateway.chat("m", false);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("not held for the 30 s timeout")
          .isLessThan(Duration.ofSeconds(10));
      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.body()).contains("rejected the gateway's credentials");
      assertSecretAbsent(PLAIN_KEY, response.body(), gateway, response);
    }
  }

  /** The key was in what the upstream said, was redacted, and is nowhere. */
  private static void assertSecretKept(
      String key, String clientBody, GatewayHarness gateway, HttpResponse<String> response)
      throws Exception {
    assertThat(trace(gateway, response)).contains("[redacted]");
    assertSecretAbsent(key, clientBody, gateway, response);
  }

  private static String trace(GatewayHarness gateway, HttpResponse<String> response)
      throws Exception {
    String id = response.headers().firstValue("x-signalbox-request-id").orElseThrow();
    gateway.events.awaitTrace(id, Duration.ofSeconds(10));
    return gateway.trace(id).toString();
  }

  private static void assertSecretAbsent(
      String key, String clientBody, GatewayHarness gateway, HttpResponse<String> response)
      throws Exception {
    String trace = trace(gateway, response);
    for (String where : List.of(clientBody, gateway.accessLog(), trace)) {
      assertThat(where).doesNotContain(key).doesNotContain(key.substring(key.length() - 12));
    }
  }
}
