package dev.signalbox.core.config;

/**
 * Where and how the HTTP server listens, and how much it takes on at once: connections beyond
 * {@code maxConnections} wait in the accept backlog, requests beyond {@code maxInFlight} get a 503
 * at once, so that a burst costs the burst and not the process (memory and file descriptors stay
 * bounded).
 *
 * @param maxBodyBytes the largest request body accepted (413 beyond it)
 */
public record ServerSettings(
    @Default("127.0.0.1") String host,
    @Default("8080") @Range(min = 0, max = 65_535) int port,
    @Default("4MiB") ByteSize maxBodyBytes,
    @Default("true") boolean accessLog,
    @Default("1024") @Range(min = 1, max = 1_000_000) int maxConnections,
    @Default("768") @Range(min = 1, max = 1_000_000) int maxInFlight) {

  public ServerSettings {
    if (maxBodyBytes.bytes() < 1_024 || maxBodyBytes.bytes() > 1L << 30) {
      throw new ConfigProblem(
          "max-body-bytes", "must be between 1KiB and 1GiB, was " + maxBodyBytes.bytes());
    }
  }

  public static final ServerSettings DEFAULT =
      new ServerSettings("127.0.0.1", 8080, ByteSize.ofMebibytes(4), true, 1_024, 768);

  public boolean loopbackOnly() {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
  }
}
