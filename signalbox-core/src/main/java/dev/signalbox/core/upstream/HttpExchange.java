package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.core.wire.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** One POST of JSON to a provider, up to its response headers, with faults classified. */
final class HttpExchange {
  private static final int ERROR_BODY_LIMIT = 64 * 1024;

  /** An error body that takes longer than this is cut off: the failure does not wait for it. */
  private static final Duration ERROR_BODY_WAIT = Duration.ofSeconds(2);

  private HttpExchange() {}

  /** The response headers arrived with status 200, or the call failed. */
  sealed interface Result {}

  record Open(GuardedBody body) implements Result {}

  record Failed(UpstreamFailure failure) implements Result {}

  /**
   * Sends the body and waits for the response headers. A stream's headers come at once, so they
   * wait as long as its first chunk may; a whole answer's headers come with the answer, so they
   * wait as long as the attempt may. The wait is the socket's read timeout, which stays on the
   * connection for the body, whose own deadlines {@link GuardedBody} enforces; it is therefore
   * never shorter than them.
   */
  static Result post(
      Http1Client client,
      URI uri,
      Map<String, String> headers,
      byte[] body,
      UpstreamCall call,
      TimeSource time)
      throws InterruptedException {
    Duration headersTimeout =
        call.request().stream()
            ? max(call.firstTokenTimeout(), call.idleTimeout())
            : call.totalTimeout();
    Http1ClientRequest request =
        client
            .post()
            .uri(uri)
            .readTimeout(headersTimeout)
            .header(HeaderNames.CONTENT_TYPE, "application/json");
    headers.forEach((name, value) -> request.header(HeaderNames.create(name), value));
    call.traceContext().forEach((name, value) -> request.header(HeaderNames.create(name), value));
    long openedAt = System.nanoTime();
    // A stream's headers come before its first token, so they must come within the first-token
    // timeout,
    // which may be shorter than the socket's read timeout.
    InterruptingDeadline firstToken =
        call.request().stream() && call.firstTokenTimeout().compareTo(headersTimeout) < 0
            ? InterruptingDeadline.arm(call.firstTokenTimeout())
            : null;
    Http1ClientResponse response;
    try {
      response = request.submit(body);
    } catch (UncheckedIOException e) {
      if (fired(firstToken)) {
        return new Failed(noFirstToken(call));
      }
      throwIfInterrupted();
      return new Failed(ioFailure(e.getCause(), uri, headersTimeout));
    } catch (RuntimeException e) {
      if (fired(firstToken)) {
        return new Failed(noFirstToken(call));
      }
      // Helidon reports a connection closed before a complete status line and headers this way.
      throwIfInterrupted();
      return new Failed(
          UpstreamFailure.of(
              UpstreamFailure.Kind.RESET,
              "connection closed before response headers: " + Causes.of(e)));
    }
    if (fired(firstToken)) {
      // The headers came as the deadline passed; the interrupt may have closed the connection under
      // them.
      response.close();
      return new Failed(noFirstToken(call));
    }
    OptionalLong length = response.headers().contentLength();
    boolean endsAtClose =
        length.isEmpty() && !response.headers().contains(HeaderValues.TRANSFER_ENCODING_CHUNKED);
    GuardedBody guarded =
        new GuardedBody(response.inputStream(), response, endsAtClose, length.orElse(-1), openedAt);
    int status = response.status().code();
    if (status == 200) {
      return new Open(guarded);
    }
    Optional<Duration> retryAfter =
        RetryAfter.parse(response.headers().first(HeaderNames.RETRY_AFTER), time.now());
    return new Failed(errorStatus(status, retryAfter, guarded, headersTimeout));
  }

  private static boolean fired(InterruptingDeadline deadline) {
    return deadline != null && deadline.end();
  }

  static UpstreamFailure noFirstToken(UpstreamCall call) {
    return UpstreamFailure.of(
        UpstreamFailure.Kind.TIMEOUT, "no first token within " + millis(call.firstTokenTimeout()));
  }

  private static UpstreamFailure ioFailure(IOException cause, URI uri, Duration headersTimeout) {
    if (cause instanceof SocketTimeoutException timeout) {
      // The JDK names a connect timeout "Connect timed out" and a read timeout "Read timed out".
      return String.valueOf(timeout.getMessage())
              .toLowerCase(java.util.Locale.ROOT)
              .contains("connect")
          ? UpstreamFailure.of(UpstreamFailure.Kind.CONNECT, "connect timed out to " + hostOf(uri))
          : UpstreamFailure.of(
              UpstreamFailure.Kind.TIMEOUT, "no response headers within " + millis(headersTimeout));
    }
    if (cause instanceof ConnectException) {
      return UpstreamFailure.of(
          UpstreamFailure.Kind.CONNECT, "connection refused by " + hostOf(uri));
    }
    return UpstreamFailure.of(
        UpstreamFailure.Kind.RESET,
        "connection closed before response headers: " + Causes.of(cause));
  }

  private static void throwIfInterrupted() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted while waiting for response headers");
    }
  }

  private static UpstreamFailure errorStatus(
      int status, Optional<Duration> retryAfter, GuardedBody body, Duration timeout) {
    String detail;
    if (status == 401 || status == 403) {
      // Provider messages about credentials can quote part of the key; none of it is passed on.
      // The body is still read: closing a kept-alive response unread waits out its timeout.
      errorMessage(body, timeout);
      detail = "upstream rejected the gateway's credentials";
    } else {
      detail = errorMessage(body, timeout);
    }
    return UpstreamFailure.status(
        status, retryAfter, "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail));
  }

  private static String errorMessage(GuardedBody body, Duration timeout) {
    try {
      byte[] bytes = body.readAll(min(timeout, ERROR_BODY_WAIT), ERROR_BODY_LIMIT);
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
    } catch (IOException | UncheckedIOException e) {
      return "";
    } finally {
      body.close();
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  static String hostOf(URI uri) {
    return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
  }

  static String millis(Duration d) {
    return d.toMillis() + " ms";
  }
}
