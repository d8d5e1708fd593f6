package dev.signalbox.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where and how the HTTP server listens, and how much it takes on at once. Beyond {@code
 * maxConnections} a new connection closes the one that has waited longest for a request (never one
 * being served); requests beyond {@code maxInFlight} get a 503 at once; so a burst or a crowd of
 * slow clients costs itself and not the process.
 *
 * @param maxBodyBytes the largest request body accepted (413 beyond it)
 * @param requestHeaderTimeout how long a client has to send a request's line and headers, from its
 *     first byte (or from connecting, for a connection's first request); 408 and closed after
 * @param requestBodyTimeout how long a client has to send a request's body once its headers are in
 * @param keepAliveTimeout how long an idle connection stays open between requests
 * @param allowedHosts {@code Host} names a keyless gateway also answers, beside loopback ones (for
 *     a local reverse proxy that keeps its own name)
 * @param corsOrigins browser origins allowed to call the gateway cross-site; none by default
 * @param reportsDir where the dashboard finds offline results to list and open: the folders {@code
 *     eval --report} writes (each with its {@code index.html} and charts) and JSON files such as
 *     {@code replay --with … --json} prints
 */
public record ServerSettings(
    @Default("127.0.0.1") String host,
    @Default("8080") @Range(min = 0, max = 65_535) int port,
    @Default("4MiB") ByteSize maxBodyBytes,
    @Default("true") boolean accessLog,
    @Default("1024") @Range(min = 1, max = 1_000_000) int maxConnections,
    @Default("768") @Range(min = 1, max = 1_000_000) int maxInFlight,
    @Default("5s") Duration requestHeaderTimeout,
    @Default("10s") Duration requestBodyTimeout,
    @Default("60s") Duration keepAliveTimeout,
    List<String> allowedHosts,
    List<String> corsOrigins,
    Optional<Path> reportsDir) {

  public ServerSettings {
    if (maxBodyBytes.bytes() < 1_024 || maxBodyBytes.bytes() > 1L << 30) {
      throw new ConfigProblem(
          "max-body-bytes", "must be between 1KiB and 1GiB, was " + maxBodyBytes.bytes());
    }
    allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    corsOrigins = List.copyOf(corsOrigins);
    for (String origin : corsOrigins) {
      if (!origin.matches("https?://[^/\\s]+")) {
        throw new ConfigProblem(
            "cors-origins",
            "expected an origin such as https://app.example.com (scheme and host, no path), got '"
                + origin
                + "'");
      }
    }
  }

  public static final ServerSettings DEFAULT =
      new ServerSettings(
          "127.0.0.1",
          8080,
          ByteSize.ofMebibytes(4),
          true,
          1_024,
          768,
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(60),
          List.of(),
          List.of(),
          Optional.empty());

  public boolean loopbackOnly() {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
  }
}
