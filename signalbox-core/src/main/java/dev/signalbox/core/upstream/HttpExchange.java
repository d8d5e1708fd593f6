package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.UpstreamFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** One POST of JSON to a provider, up to its response headers, with faults classified. */
final class HttpExchange {
  private static final int ERROR_BODY_LIMIT = 64 * 1024;

  private HttpExchange() {}

  /** The response headers arrived with status 200, or the call failed. */
  sealed interface Result {}

  record Open(HttpResponse<InputStream> response, GuardedBody body) implements Result {}

  record Failed(UpstreamFailure failure) implements Result {}

  static Result post(
      HttpClient client, URI uri, Map<String, String> headers, byte[] body, Duration headersTimeout, TimeSource time)
      throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(headersTimeout)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException e) {
      return new Failed(UpstreamFailure.of(UpstreamFailure.Kind.CONNECT, "connect timed out to " + hostOf(uri)));
    } catch (HttpTimeoutException e) {
      return new Failed(UpstreamFailure.of(UpstreamFailure.Kind.TIMEOUT, "no response headers within " + millis(headersTimeout)));
    } catch (ConnectException e) {
      return new Failed(UpstreamFailure.of(UpstreamFailure.Kind.CONNECT, "connection refused by " + hostOf(uri)));
    } catch (IOException e) {
      return new Failed(UpstreamFailure.of(UpstreamFailure.Kind.RESET, "connection closed before response headers: " + e.getMessage()));
    }
    GuardedBody guarded = new GuardedBody(response.body());
    if (response.statusCode() == 200) {
      return new Open(response, guarded);
    }
    return new Failed(errorStatus(response, guarded, headersTimeout, time));
  }

  private static UpstreamFailure errorStatus(
      HttpResponse<InputStream> response, GuardedBody body, Duration timeout, TimeSource time) {
    int status = response.statusCode();
    Optional<Duration> retryAfter = RetryAfter.parse(response.headers().firstValue("retry-after"), time.now());
    String detail;
    if (status == 401 || status == 403) {
      // Provider messages about credentials can quote part of the key; none of it is passed on.
      detail = "upstream rejected the gateway's credentials";
      body.close();
    } else {
      detail = errorMessage(body, timeout);
    }
    return UpstreamFailure.status(status, retryAfter, "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail));
  }

  private static String errorMessage(GuardedBody body, Duration timeout) {
    try {
      byte[] bytes = body.readAll(timeout, ERROR_BODY_LIMIT);
      String text = new String(bytes, StandardCharsets.UTF_8).trim();
      try {
        JsonNode json = Json.MAPPER.readTree(text);
        JsonNode message = json.path("error").path("message");
        if (message.isTextual()) {
          return message.asText();
        }
        if (json.path("message").isTextual()) {
          return json.path("message").asText();
        }
      } catch (IOException notJson) {
        // Fall through to the raw text.
      }
      return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    } catch (IOException e) {
      return "";
    } finally {
      body.close();
    }
  }

  static String hostOf(URI uri) {
    return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
  }

  static String millis(Duration d) {
    return d.toMillis() + " ms";
  }
}
