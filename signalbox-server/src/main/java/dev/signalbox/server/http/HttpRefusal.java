package dev.signalbox.server.http;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.Truncated;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Locale;
import java.util.Optional;

/** Why a request is refused before its body is read, in OpenAI's error terms. */
final class HttpRefusal {
  private HttpRefusal() {}

  /** A request the decoder could not read. */
  static SignalboxException undecodable(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new SignalboxException(
          ErrorKind.URI_TOO_LONG,
          "The request line is longer than " + ServerLimits.MAX_REQUEST_LINE + " bytes.",
          null,
          "uri_too_long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new SignalboxException(
          ErrorKind.HEADERS_TOO_LARGE,
          "The request headers are larger than " + ServerLimits.MAX_HEADER_BYTES + " bytes.",
          null,
          "headers_too_large");
    }
    String detail = cause instanceof TooLongFrameException ? "" : ": " + printable(cause);
    return new SignalboxException(
        ErrorKind.INVALID_REQUEST,
        "The request is not valid HTTP/1.1" + detail,
        null,
        "invalid_http");
  }

  /** A request whose body must not be read, judged by its headers. */
  static Optional<SignalboxException> ofHead(HttpRequest request, long maxBodyBytes) {
    var headers = request.headers();
    if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)
        && headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return Optional.of(
          SignalboxException.invalid(
              null, "A request may not carry both Content-Length and Transfer-Encoding."));
    }
    if (headers.getAll(HttpHeaderNames.HOST).size() > 1) {
      return Optional.of(SignalboxException.invalid(null, "A request may carry one Host header."));
    }
    String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      return Optional.of(
          new SignalboxException(
              ErrorKind.UNSUPPORTED_MEDIA_TYPE,
              "Compressed request bodies are not accepted (Content-Encoding: "
                  + Truncated.of(encoding.trim().toLowerCase(Locale.ROOT), 40)
                  + "); send the body uncompressed.",
              null,
              "unsupported_content_encoding"));
    }
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > maxBodyBytes) {
      return Optional.of(tooLarge(maxBodyBytes));
    }
    return Optional.empty();
  }

  static SignalboxException tooLarge(long maxBodyBytes) {
    return new SignalboxException(
        ErrorKind.PAYLOAD_TOO_LARGE,
        "The request body is larger than this gateway's limit of " + maxBodyBytes + " bytes.",
        null,
        "payload_too_large");
  }

  static SignalboxException late(boolean headers, long seconds) {
    return new SignalboxException(
        ErrorKind.REQUEST_TIMEOUT,
        "The request "
            + (headers ? "headers" : "body")
            + " did not arrive within "
            + seconds
            + " s.",
        null,
        "request_timeout");
  }

  static SignalboxException malformedBody(Throwable cause) {
    return new SignalboxException(
        ErrorKind.INVALID_REQUEST,
        "The request body is not valid HTTP/1.1 chunked encoding: " + printable(cause),
        null,
        "invalid_http");
  }

  /** A decoder's message with what the client sent made safe to echo: short and printable. */
  private static String printable(Throwable cause) {
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return Truncated.of(message.replaceAll("\\p{Cntrl}", "?"), 120);
  }
}
