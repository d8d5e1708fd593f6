package dev.signalbox.core.config;

/** Where and how the HTTP server listens. */
public record ServerSettings(String host, int port, long maxBodyBytes, boolean accessLog) {
  public static final ServerSettings DEFAULT = new ServerSettings("127.0.0.1", 8080, 4 * 1024 * 1024, true);

  public boolean loopbackOnly() {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
  }
}
