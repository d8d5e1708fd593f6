package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.core.wire.Json;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/** One POST of JSON to a provider, up to its response headers, with faults classified. */
final class HttpExchange {
  private static final int ERROR_BODY_LIMIT = 64 * 1024;

  /** An error body that takes longer than this is cut off: the failure does not wait for it. */
  private static final Duration ERROR_BODY_WAIT = Duration.ofSeconds(2);

  /** Where a stream sent without blocking has an error status's body read. */
  private static final Executor READING_ERRORS =
      Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("signalbox-upstream-error-", 0).factory());

  private HttpExchange() {}

  /** The response headers arrived with status 200, or the call failed. */
  sealed interface Result {}

  record Open(GuardedBody body) implements Result {}

  record Failed(UpstreamFailure failure) implements Result, WholeResult {}

  /** A whole answer with status 200, or the call's failure. */
  sealed interface WholeResult {}

  record Answered(byte[] body) implements WholeResult {}

  /**
   * Sends the body and waits for the response headers: a stream's within its first-token timeout
   * (they come before the first token), a whole answer's within the attempt's total timeout (they
   * come with the answer). The wait is broken by an interrupt from the {@link Watchdog}'s wheel,
   * which keeps every deadline of a call; the body's are {@link GuardedBody}'s.
   */
  static Result post(
      LoopHttpClient client,
      URI uri,
      Map<String, String> headers,
      byte[] body,
      UpstreamCall call,
      TimeSource time)
      throws InterruptedException {
    Duration headersTimeout =
        call.request().stream() ? call.firstTokenTimeout() : call.totalTimeout();
    Map<String, String> all = headers(headers, call);
    long openedAt = System.nanoTime();
    InterruptingDeadline deadline = InterruptingDeadline.arm(headersTimeout);
    LoopResponse response;
    try {
      response = client.post(uri, all, body);
    } catch (InterruptedException e) {
      if (deadline.end()) {
        return new Failed(headersTimedOut(call));
      }
      throw e;
    } catch (IOException e) {
      if (deadline.end()) {
        return new Failed(headersTimedOut(call));
      }
      throwIfInterrupted();
      return new Failed(ioFailure(e, uri));
    }
    if (deadline.end()) {
      // The headers came as the deadline passed.
      response.abort();
      return new Failed(headersTimedOut(call));
    }
    GuardedBody guarded = new GuardedBody(response, response.contentLength(), openedAt);
    int status = response.status();
    if (status == 200) {
      return new Open(guarded);
    }
    Optional<Duration> retryAfter =
        RetryAfter.parse(
            Optional.ofNullable(response.headers().get(HttpHeaderNames.RETRY_AFTER)), time.now());
    return new Failed(errorStatus(status, retryAfter, guarded, headersTimeout));
  }

  private static Map<String, String> headers(Map<String, String> headers, UpstreamCall call) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("content-type", "application/json");
    all.putAll(call.traceContext());
    return all;
  }

  /**
   * As {@link #post} for a whole answer, blocking nobody: the result comes on the connection's
   * loop, with the body of a 200 read whole (at most {@code limit} bytes) within the attempt's
   * total timeout, or the call's failure classified as {@link #post} and a body's read would.
   */
  static CompletableFuture<WholeResult> postWhole(
      LoopHttpClient client,
      URI uri,
      Map<String, String> headers,
      byte[] body,
      UpstreamCall call,
      TimeSource time,
      int limit) {
    return client
        .postWhole(uri, headers(headers, call), body, call.totalTimeout(), limit)
        .handle(
            (whole, error) ->
                error == null ? whole(whole, time) : new Failed(loopFailure(error, uri, call)));
  }

  /**
   * As {@link #post} for a stream, blocking nobody: the result comes on the connection's loop with
   * the response headers, within the first-token timeout. An error status's body is read as {@link
   * #post} reads it, on a virtual thread: a failure may wait for it, a stream's start does not.
   */
  static CompletableFuture<Result> postStream(
      LoopHttpClient client,
      URI uri,
      Map<String, String> headers,
      byte[] body,
      UpstreamCall call,
      TimeSource time) {
    long openedAt = System.nanoTime();
    return client
        .postStream(uri, headers(headers, call), body, call.firstTokenTimeout())
        .thenCompose(whole -> opened(whole, openedAt, call, time))
        .exceptionally(error -> new Failed(loopFailure(error, uri, call)));
  }

  private static CompletableFuture<Result> opened(
      WholeAnswer.Whole whole, long openedAt, UpstreamCall call, TimeSource time) {
    LoopResponse response = whole.open();
    GuardedBody guarded = new GuardedBody(response, response.contentLength(), openedAt);
    if (whole.status() == 200) {
      return CompletableFuture.completedFuture(new Open(guarded));
    }
    Optional<Duration> retryAfter =
        RetryAfter.parse(
            Optional.ofNullable(whole.headers().get(HttpHeaderNames.RETRY_AFTER)), time.now());
    return CompletableFuture.supplyAsync(
        () ->
            new Failed(errorStatus(whole.status(), retryAfter, guarded, call.firstTokenTimeout())),
        READING_ERRORS);
  }

  private static WholeResult whole(WholeAnswer.Whole whole, TimeSource time) {
    if (whole.status() == 200) {
      return new Answered(whole.body());
    }
    Optional<Duration> retryAfter =
        RetryAfter.parse(
            Optional.ofNullable(whole.headers().get(HttpHeaderNames.RETRY_AFTER)), time.now());
    return new Failed(statusFailure(whole.status(), retryAfter, errorText(whole.body())));
  }

  /**
   * What ended an exchange on the loop: a stream's comes only before its headers (after them, its
   * body's reads fail as the blocking path's do), so its timeout is the first token's.
   */
  private static UpstreamFailure loopFailure(Throwable error, URI uri, UpstreamCall call) {
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    return switch (cause) {
      case WholeAnswer.TimedOut timedOut ->
          timedOut.answered()
              ? UpstreamFailure.of(
                  UpstreamFailure.Kind.TIMEOUT,
                  "no complete answer within " + millis(call.totalTimeout()))
              : headersTimedOut(call);
      case WholeAnswer.CutShort cut ->
          UpstreamFailure.of(
              UpstreamFailure.Kind.RESET,
              "connection closed mid-answer: " + Causes.of(cut.getCause()));
      case IOException io -> ioFailure(io, uri);
      default ->
          UpstreamFailure.of(
              UpstreamFailure.Kind.RESET, "the answer could not be read: " + Causes.of(cause));
    };
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

  private static UpstreamFailure ioFailure(IOException cause, URI uri) {
    if (cause instanceof ConnectTimeoutException) {
      return UpstreamFailure.of(
          UpstreamFailure.Kind.CONNECT, "connect timed out to " + hostOf(uri));
    }
    if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
      return UpstreamFailure.of(
          UpstreamFailure.Kind.CONNECT,
          (cause instanceof UnknownHostException ? "unknown host " : "connection refused by ")
              + hostOf(uri));
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
    // The body is read even when its text is not passed on: closing a kept-alive response unread
    // waits out its timeout.
    return statusFailure(status, retryAfter, errorMessage(body, timeout));
  }

  private static UpstreamFailure statusFailure(
      int status, Optional<Duration> retryAfter, String detail) {
    if (status == 401 || status == 403) {
      // Provider messages about credentials can quote part of the key; none of it is passed on.
      detail = "upstream rejected the gateway's credentials";
    }
    return UpstreamFailure.status(
        status, retryAfter, "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail));
  }

  private static String errorMessage(GuardedBody body, Duration timeout) {
    try {
      return errorText(body.readAll(min(timeout, ERROR_BODY_WAIT), ERROR_BODY_LIMIT));
    } catch (IOException | UncheckedIOException e) {
      return "";
    } finally {
      body.close();
    }
  }

  /** What an error body says: its error's message, or its text cut short. */
  private static String errorText(byte[] bytes) {
    String text =
        new String(bytes, 0, Math.min(bytes.length, ERROR_BODY_LIMIT), StandardCharsets.UTF_8)
            .trim();
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
