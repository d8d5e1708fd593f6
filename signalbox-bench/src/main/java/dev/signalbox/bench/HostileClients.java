package dev.signalbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.core.wire.Json;
import dev.signalbox.testing.HostileBodies;
import dev.signalbox.testing.SlowClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hostile clients of the edge benchmark (run-edges.sh).
 *
 * <pre>
 * bodies COUNT BASE_URL SEED          COUNT hostile bodies (HostileBodies), 8 in flight; counts 5xx,
 *                                     errors not in OpenAI's shape and hangs (no answer in 20 s)
 * slow   COUNT HOST PORT SECONDS      COUNT SlowClients; prints "slow clients open" once all
 *                                     have connected, then holds them for SECONDS
 * </pre>
 */
public final class HostileClients {
  private static final Duration HANG = Duration.ofSeconds(20);

  private HostileClients() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "bodies" ->
          bodies(Integer.parseInt(args[1]), URI.create(args[2]), Long.parseLong(args[3]));
      case "slow" ->
          slow(
              Integer.parseInt(args[1]),
              args[2],
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0] + " (bodies, slow)");
    }
  }

  static void bodies(int count, URI base, long seed) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    LongAdder malformed = new LongAdder();
    LongAdder hangs = new LongAdder();
    LongAdder failures = new LongAdder();
    Semaphore inFlight = new Semaphore(8);
    HostileBodies bodies = new HostileBodies(seed);
    try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        HostileBodies.Body body = bodies.next();
        inFlight.acquire();
        senders.execute(
            () -> {
              try {
                HttpResponse<String> response =
                    client.send(
                        HttpRequest.newBuilder(base.resolve(body.path()))
                            .timeout(HANG)
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                statuses.computeIfAbsent(response.statusCode(), s -> new LongAdder()).increment();
                if (response.statusCode() >= 300 && !openAiShaped(response.body())) {
                  malformed.increment();
                }
              } catch (HttpTimeoutException e) {
                hangs.increment();
              } catch (IOException e) {
                failures.increment();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                inFlight.release();
              }
            });
      }
    }
    long serverErrors =
        statuses.entrySet().stream()
            .filter(e -> e.getKey() >= 500)
            .mapToLong(e -> e.getValue().sum())
            .sum();
    Map<Integer, Long> sorted = new TreeMap<>();
    statuses.forEach((status, n) -> sorted.put(status, n.sum()));
    System.out.printf(
        "hostile bodies=%d 5xx=%d not-openai-shaped=%d hangs=%d connection-failures=%d"
            + " statuses=%s%n",
        count, serverErrors, malformed.sum(), hangs.sum(), failures.sum(), sorted);
  }

  private static boolean openAiShaped(String body) {
    try {
      JsonNode error = Json.MAPPER.readTree(body).path("error");
      return error.path("message").isTextual()
          && error.path("type").isTextual()
          && error.has("param")
          && error.has("code");
    } catch (IOException e) {
      return false;
    }
  }

  static void slow(int count, String host, int port, int seconds) throws Exception {
    long connections;
    try (SlowClients slow = SlowClients.start(host, port, count)) {
      if (!slow.awaitFirstConnections(Duration.ofSeconds(60))) {
        System.out.println("not every slow client connected within 60 s");
      }
      System.out.println("slow clients open: " + count);
      Thread.sleep(seconds * 1000L);
      connections = slow.connections();
    }
    System.out.printf(
        "slow clients=%d connections made=%d (a reconnect each time the gateway cut one off)%n",
        count, connections);
  }
}
