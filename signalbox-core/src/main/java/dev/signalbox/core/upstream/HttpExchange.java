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

  /** A socket read timeout of zero is none. */
  private static final Duration NO_SOCKET_TIMEOUT = Duration.ZERO;

  private HttpExchange() {}

  /** The response headers arrived with status 200, or the call failed. */
  sealed interface Result {}

  record Open(GuardedBody body) implements Result {}

  record Failed(UpstreamFailure failure) implements Result {}

  /**
   * Sends the body and waits for the response headers: a stream's within its first-token timeout
   * (they come before the first token), a whole answer's within the attempt's total timeout (they
   * come with the answer). On a virtual thread, the gateway's, the socket has no read timeout and
   * every deadline, here and over the body ({@link GuardedBody}), is kept on the {@link Watchdog}'s
   * wheel: a socket timeout makes each blocking read a timed park, which the JDK schedules and
   * cancels on its delay scheduler, waking that scheduler's thread twice per read (a seventh of the
   * gateway's CPU when relaying streams). A platform thread is not woken from a socket read by an
   * interrupt, so there the socket's read timeout stays, as long as the longest wait for one read:
   * the headers' or, for a stream, the gap between two chunks.
   */
  static Result post(
      Http1Client client,
      URI uri,
      Map<String, String> headers,
      byte[] body,
      UpstreamCall call,
      TimeSource time)
      throws InterruptedException {
    boolean stream = call.request().stream();
    Duration headersTimeout = stream ? call.firstTokenTimeout() : call.totalTimeout();
    Duration socketTimeout =
        Thread.currentThread().isVirtual()
            ? NO_SOCKET_TIMEOUT
            : stream ? max(call.firstTokenTimeout(), call.idleTimeout()) : call.totalTimeout();
    Http1ClientRequest request =
        client
            .post()
            .uri(uri)
            .readTimeout(socketTimeout)
            .header(HeaderNames.CONTENT_TYPE, "application/json");
    headers.forEach((name, value) -> request.header(HeaderNames.create(name), value));
    call.traceContext().forEach((name, value) -> request.header(HeaderNames.create(name), value));
    long openedAt = System.nanoTime();
    InterruptingDeadline deadline = InterruptingDeadline.arm(headersTimeout);
    Http1ClientResponse response;
    try {
      response = request.submit(body);
    } catch (UncheckedIOException e) {
      if (deadline.end()) {
        return new Failed(headersTimedOut(call));
      }
      throwIfInterrupted();
      return new Failed(ioFailure(e.getCause(), uri, socketTimeout));
    } catch (RuntimeException e) {
      if (deadline.end()) {
        return new Failed(headersTimedOut(call));
      }
      // Helidon reports a connection closed before a complete status line and headers this way.
      throwIfInterrupted();
      return new Failed(
          UpstreamFailure.of(
              UpstreamFailure.Kind.RESET,
              "connection closed before response headers: " + Causes.of(e)));
    }
    if (deadline.end()) {
      // The headers came as the deadline passed; the interrupt may have closed the connection under
      // them.
      response.close();
      return new Failed(headersTimedOut(call));
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

  private static UpstreamFailure headersTimedOut(UpstreamCall call) {
    return call.request().stream()
        ? noFirstToken(call)
        : UpstreamFailure.of(
            UpstreamFailure.Kind.TIMEOUT,
            "no response headers within " + millis(call.totalTimeout()));
  }

  static UpstreamFailure noFirstToken(UpstreamCall call) {
    return UpstreamFailure.of(
        UpstreamFailure.Kind.TIMEOUT, "no first token within " + millis(call.firstTokenTimeout()));
  }

  private static UpstreamFailure ioFailure(IOException cause, URI uri, Duration readTimeout) {
    if (cause instanceof SocketTimeoutException timeout) {
      // The JDK names a connect timeout "Connect timed out" and a read timeout "Read timed out".
      return String.valueOf(timeout.getMessage())
              .toLowerCase(java.util.Locale.ROOT)
              .contains("connect")
          ? UpstreamFailure.of(UpstreamFailure.Kind.CONNECT, "connect timed out to " + hostOf(uri))
          : UpstreamFailure.of(
              UpstreamFailure.Kind.TIMEOUT, "no response headers within " + millis(readTimeout));
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
