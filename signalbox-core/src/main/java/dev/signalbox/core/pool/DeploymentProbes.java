package dev.signalbox.core.pool;

import dev.signalbox.api.TimeSource;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.GatewayConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Background probes of deployments, one virtual thread each, stopped on close or reload:
 *
 * <ul>
 *   <li>{@code metrics-url}: the Prometheus endpoint (as vLLM serves it); the deployment's load is
 *       re-anchored on {@code vllm:num_requests_running} plus {@code vllm:num_requests_waiting},
 *       and between two polls the pool counts its own assignments from that anchor (dead
 *       reckoning). A failed poll keeps the last anchor.
 *   <li>{@code health-check-url}: an active health check; a 2xx is healthy, anything else (or no
 *       answer within two seconds) counts against the breaker.
 * </ul>
 */
public final class DeploymentProbes implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DeploymentProbes.class.getName());
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final String RUNNING = "vllm:num_requests_running";
  static final String WAITING = "vllm:num_requests_waiting";

  private final List<Thread> threads = new ArrayList<>();
  private final Supplier<HttpClient> client;
  private final TimeSource time;
  private volatile boolean closed;

  private DeploymentProbes(Supplier<HttpClient> client, TimeSource time) {
    this.client = client;
    this.time = time;
  }

  /**
   * The HTTP client probes use by default: HTTP/1.1, a two-second connect timeout. Built on first
   * use and shared: building one reads the JDK's TLS set-up (about 0.1 s of a one-core start),
   * which a gateway without probes never needs.
   */
  public static HttpClient client() {
    return DefaultClient.CLIENT;
  }

  private static final class DefaultClient {
    static final HttpClient CLIENT =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
  }

  /**
   * Starts one poller per deployment with a metrics URL and one per health-check URL, each on a
   * thread from {@code threads}, sleeping on {@code time} between polls. Each probe asks {@code
   * client} for the client once, so a gateway without probes never builds one.
   */
  public static DeploymentProbes start(
      GatewayConfig config,
      PoolState pool,
      ThreadFactory threads,
      Supplier<HttpClient> client,
      TimeSource time) {
    DeploymentProbes probes = new DeploymentProbes(client, time);
    for (DeploymentSpec deployment : config.deployments().values()) {
      deployment
          .metricsUrl()
          .ifPresent(url -> probes.start(threads, () -> probes.poll(deployment, pool)));
      deployment
          .healthUrl()
          .ifPresent(url -> probes.start(threads, () -> probes.check(deployment, pool)));
    }
    return probes;
  }

  private void start(ThreadFactory threads, Runnable probe) {
    Thread thread = threads.newThread(probe);
    this.threads.add(thread);
    thread.start();
  }

  private void poll(DeploymentSpec deployment, PoolState pool) {
    HttpRequest request =
        HttpRequest.newBuilder(deployment.metricsUrl().orElseThrow())
            .timeout(TIMEOUT)
            .GET()
            .build();
    HttpClient http = client.get();
    boolean warned = false;
    while (!closed) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        OptionalLong load =
            response.statusCode() == 200 ? serverLoad(response.body()) : OptionalLong.empty();
        if (load.isPresent()) {
          pool.anchor(deployment, load.getAsLong());
          warned = false;
        } else if (!warned) {
          LOG.warning(
              () ->
                  "no vLLM request counts at "
                      + deployment.metricsUrl().get()
                      + " (HTTP "
                      + response.statusCode()
                      + ")");
          warned = true;
        }
        time.sleep(deployment.metricsInterval());
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        if (!warned) {
          LOG.log(
              Level.WARNING,
              "cannot read " + deployment.metricsUrl().get() + ": " + e.getMessage());
          warned = true;
        }
        try {
          time.sleep(deployment.metricsInterval());
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  private void check(DeploymentSpec deployment, PoolState pool) {
    HttpRequest request =
        HttpRequest.newBuilder(deployment.healthUrl().orElseThrow()).timeout(TIMEOUT).GET().build();
    HttpClient http = client.get();
    while (!closed) {
      boolean healthy;
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        healthy = status >= 200 && status < 300;
      } catch (IOException e) {
        healthy = false;
      } catch (InterruptedException e) {
        return;
      }
      pool.healthChecked(deployment, healthy);
      try {
        time.sleep(deployment.healthInterval());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Running plus waiting requests from a Prometheus text exposition, summed over label sets; empty
   * when neither is there.
   */
  static OptionalLong serverLoad(String exposition) {
    double total = 0;
    boolean seen = false;
    for (String raw : exposition.split("\n", -1)) {
      String line = raw.trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int nameEnd = brace >= 0 ? brace : line.indexOf(' ');
      if (nameEnd < 0
          || !(line.substring(0, nameEnd).equals(RUNNING)
              || line.substring(0, nameEnd).equals(WAITING))) {
        continue;
      }
      // Labels may hold spaces inside quotes; the value is the first field after them (a timestamp
      // may follow).
      int valueStart = brace >= 0 ? line.lastIndexOf('}') + 1 : nameEnd;
      String[] fields = line.substring(valueStart).trim().split("\\s+", -1);
      try {
        total += Double.parseDouble(fields[0]);
        seen = true;
      } catch (NumberFormatException ignored) {
        // A malformed sample counts for nothing.
      }
    }
    return seen ? OptionalLong.of(Math.round(total)) : OptionalLong.empty();
  }

  @Override
  public void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
  }
}
