package dev.signalbox.server;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.ServerSettings;
import dev.signalbox.core.wire.Truncated;
import dev.signalbox.server.http.HttpCall;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a web page must not make a browser do to a gateway it can reach. A keyless gateway answers
 * only {@code Host} names of loopback addresses (a rebound DNS name is refused); no gateway answers
 * a cross-origin browser request unless its origin is listed in {@code server.cors-origins}, and
 * then with the CORS headers that let the page read the answer.
 */
final class BrowserGuard {
  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");
  private static final String EXPOSED =
      "x-signalbox-request-id, x-signalbox-route, x-signalbox-model, x-signalbox-deployment,"
          + " x-signalbox-attempts, x-signalbox-cost-usd";

  private final boolean keyless;
  private final List<String> allowedHosts;
  private final List<String> corsOrigins;

  BrowserGuard(boolean keyless, ServerSettings server) {
    this.keyless = keyless;
    this.allowedHosts = server.allowedHosts();
    this.corsOrigins = server.corsOrigins();
  }

  /** Why the call is refused, if it is. */
  Optional<SignalboxException> refusal(HttpCall call) {
    Optional<String> host = call.header("host").map(h -> h.trim().toLowerCase(Locale.ROOT));
    if (keyless) {
      if (host.isEmpty()) {
        return Optional.of(SignalboxException.invalid(null, "The request has no Host header."));
      }
      String name = hostName(host.get());
      if (!loopbackName(name) && !allowedHosts.contains(name)) {
        return Optional.of(
            new SignalboxException(
                ErrorKind.FORBIDDEN,
                "This gateway has no keys and answers only loopback host names, not '"
                    + Truncated.of(name, 100)
                    + "'; add it to server.allowed-hosts if a local proxy uses it.",
                null,
                "host_not_allowed"));
      }
    }
    Optional<String> origin = call.header("origin");
    boolean crossSite =
        call.header("sec-fetch-site").map(s -> s.trim().equals("cross-site")).orElse(false);
    if (origin.isPresent() && !sameOrigin(origin.get(), host) || crossSite) {
      String from = origin.orElse("another site");
      if (!corsOrigins.contains(from)) {
        return Optional.of(
            new SignalboxException(
                ErrorKind.FORBIDDEN,
                "Cross-origin requests from "
                    + Truncated.of(from, 100)
                    + " are not allowed; list the origin in server.cors-origins to allow it.",
                null,
                "origin_not_allowed"));
      }
    }
    return Optional.empty();
  }

  /** Whether this is a CORS preflight from an allowed origin. */
  boolean preflight(HttpCall call) {
    return call.method().equals("OPTIONS")
        && call.header("access-control-request-method").isPresent()
        && call.header("origin").filter(corsOrigins::contains).isPresent();
  }

  /** The CORS headers an allowed cross-origin call gets; none for any other. */
  Map<String, String> corsHeaders(HttpCall call) {
    Optional<String> origin = call.header("origin").filter(corsOrigins::contains);
    if (origin.isEmpty()) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("access-control-allow-origin", origin.get());
    headers.put("vary", "origin");
    headers.put("access-control-expose-headers", EXPOSED);
    if (preflight(call)) {
      headers.put("access-control-allow-methods", "GET, POST, OPTIONS");
      headers.put(
          "access-control-allow-headers",
          call.header("access-control-request-headers").orElse("authorization, content-type"));
      headers.put("access-control-max-age", "600");
    }
    return headers;
  }

  private static boolean sameOrigin(String origin, Optional<String> host) {
    return host.isPresent()
        && (origin.equalsIgnoreCase("http://" + host.get())
            || origin.equalsIgnoreCase("https://" + host.get()));
  }

  private static String hostName(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  private static boolean loopbackName(String name) {
    return name.equals("localhost")
        || name.endsWith(".localhost")
        || name.equals("[::1]")
        || IPV4_LOOPBACK.matcher(name).matches();
  }
}
