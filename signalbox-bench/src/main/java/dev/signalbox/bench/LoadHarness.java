package dev.signalbox.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator of the benchmark. Latencies are measured from each request's intended start
 * (open loop), so a stalled proxy cannot hide its queueing: HdrHistogram's correction for coordinated
 * omission, done at the source.
 *
 * <pre>
 * open    RATE SECONDS WARMUP URL [stream]   fixed-rate requests; latency (or time to first token) percentiles
 * streams COUNT URL GAP_MS                   COUNT concurrent streams; the longest gap between chunks of each
 * </pre>
 *
 * Extra headers come from the HEADERS environment variable: "name: value; name: value".
 */
public final class LoadHarness {
  private static final String BODY = "{\"model\":\"%s\",\"stream\":%s,\"messages\":[{\"role\":\"user\",\"content\":"
      + "\"Summarise the benchmark rules in one sentence.\"}]}";

  private LoadHarness() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "open" -> open(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4],
          args.length > 5 && args[5].equals("stream"));
      case "streams" -> streams(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0] + " (open, streams)");
    }
  }

  private static HttpRequest request(String url, boolean stream) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(BODY.formatted(System.getenv().getOrDefault("MODEL", "bench"), stream)));
    for (String header : System.getenv().getOrDefault("HEADERS", "").split(";")) {
      int colon = header.indexOf(':');
      if (colon > 0) {
        builder.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
      }
    }
    return builder.build();
  }

  /** Fixed-rate load: WARMUP seconds unrecorded, then SECONDS recorded. */
  static void open(int rate, int seconds, int warmup, String url, boolean stream) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    Recorder recorder = new Recorder(3);
    AtomicLong errors = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    long intervalNanos = 1_000_000_000L / rate;
    long total = (long) rate * (seconds + warmup);
    long start = System.nanoTime() + 100_000_000;
    long recordFrom = start + warmup * 1_000_000_000L;
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch done = new CountDownLatch((int) total);
    List<CompletableFuture<?>> inFlight = new ArrayList<>();
    for (long i = 0; i < total; i++) {
      long intended = start + i * intervalNanos;
      long delay = intended - System.nanoTime();
      if (delay > 2_000_000) {
        TimeUnit.NANOSECONDS.sleep(delay - 1_000_000);
      }
      while (System.nanoTime() < intended) {
        Thread.onSpinWait();
      }
      sent.incrementAndGet();
      CompletableFuture<?> f = stream
          ? client.sendAsync(request(url, true), HttpResponse.BodyHandlers.ofInputStream()).thenAccept(r -> {
              try (InputStream in = r.body()) {
                int b = in.read(); // the first byte of the first event
                long ttft = System.nanoTime() - intended;
                if (r.statusCode() != 200 || b < 0) {
                  errors.incrementAndGet();
                } else if (intended >= recordFrom) {
                  recorder.recordValue(ttft / 1_000);
                }
                in.transferTo(java.io.OutputStream.nullOutputStream());
              } catch (Exception e) {
                errors.incrementAndGet();
              }
            })
          : client.sendAsync(request(url, false), HttpResponse.BodyHandlers.ofByteArray()).thenAccept(r -> {
              long latency = System.nanoTime() - intended;
              if (r.statusCode() != 200) {
                errors.incrementAndGet();
              } else if (intended >= recordFrom) {
                recorder.recordValue(latency / 1_000);
              }
            });
      f.whenComplete((v, t) -> {
        if (t != null) {
          errors.incrementAndGet();
        }
        done.countDown();
      });
      if (i % 10_000 == 0) {
        inFlight.removeIf(CompletableFuture::isDone);
      }
    }
    done.await(60, TimeUnit.SECONDS);
    ticker.shutdown();
    Histogram h = recorder.getIntervalHistogram();
    System.out.printf(Locale.ROOT,
        "open rate=%d/s recorded=%ds %s n=%d errors=%d p50=%.3fms p90=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms%n",
        rate, seconds, stream ? "ttft" : "latency", h.getTotalCount(), errors.get(),
        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
  }

  /** COUNT concurrent streams; a stall is a gap between chunks longer than GAP_MS + 100 ms. */
  static void streams(int count, String url, int gapMillis) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    Histogram gaps = new Histogram(3);
    AtomicLong stalls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong completed = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          start.await();
          HttpResponse<InputStream> response = client.send(request(url, true), HttpResponse.BodyHandlers.ofInputStream());
          long last = -1;
          long worst = 0;
          boolean done = false;
          try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
              if (!line.startsWith("data:")) {
                continue;
              }
              long now = System.nanoTime();
              if (last > 0) {
                worst = Math.max(worst, now - last);
              }
              last = now;
              done |= line.contains("[DONE]");
            }
          }
          synchronized (gaps) {
            gaps.recordValue(worst / 1_000);
          }
          if (worst / 1_000_000 > gapMillis + 100) {
            stalls.incrementAndGet();
          }
          if (done && response.statusCode() == 200) {
            completed.incrementAndGet();
          } else {
            errors.incrementAndGet();
          }
        } catch (Exception e) {
          errors.incrementAndGet();
        }
      }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    System.out.printf(Locale.ROOT, "streams n=%d completed=%d errors=%d stalls(>%dms)=%d worst-gap p50=%.1fms p99=%.1fms max=%.1fms%n",
        count, completed.get(), errors.get(), gapMillis + 100, stalls.get(),
        gaps.getValueAtPercentile(50) / 1e3, gaps.getValueAtPercentile(99) / 1e3, gaps.getMaxValue() / 1e3);
  }
}
