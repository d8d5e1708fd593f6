package dev.signalbox.core.config;

/**
 * Where and how the HTTP server listens, and how much it takes on at once: connections beyond
 * {@code maxConnections} wait in the accept backlog, requests beyond {@code maxInFlight} get a 503
 * at once, so that a burst costs the burst and not the process (memory and file descriptors stay
 * bounded).
 */
public record ServerSettings(
    String host,
    int port,
    long maxBodyBytes,
    boolean accessLog,
    int maxConnections,
    int maxInFlight) {
  public static final ServerSettings DEFAULT =
      new ServerSettings("127.0.0.1", 8080, 4 * 1024 * 1024, true, 1_024, 768);

  public boolean loopbackOnly() {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
  }
}
