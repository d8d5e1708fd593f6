package dev.signalbox.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator of the benchmark. Latencies are measured from each request's intended start
 * (open loop), so a stalled proxy cannot hide its queueing: HdrHistogram's correction for
 * coordinated omission, done at the source.
 *
 * <pre>
 * open    RATE SECONDS WARMUP URL [stream]   fixed-rate requests; latency (or time to first token) percentiles,
 *                                            and each recorded second's p99 (p99/s, ms)
 * streams COUNT URL GAP_MS                   COUNT concurrent streams; the longest gap between chunks of each
 * </pre>
 *
 * Extra headers come from the HEADERS environment variable: "name: value; name: value". With
 * HEADERS_B as well, {@code open} alternates the two (even requests A, odd B) and reports each
 * apart and B's percentiles less A's: two kinds of caller on one gateway at the same moment, so
 * that what one costs over the other is not lost in the host's and the collector's noise between
 * runs. The model from MODEL (default bench); the status counted as an answer from EXPECT_STATUS
 * (default 200), so that the round trip of a failure can be measured too. PROMPTS_FILE names a file
 * of prompts, one a line, sent in turn (request i gets line i modulo their number), so that
 * per-prompt work such as an embedding is done, not cached.
 */
public final class LoadHarness {
  private static final String BODY =
      "{\"model\":\"%s\",\"stream\":%s,\"messages\":[{\"role\":\"user\",\"content\":%s}]}";

  private LoadHarness() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "open" ->
          open(
              Integer.parseInt(args[1]),
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              args[4],
              args.length > 5 && args[5].equals("stream"));
      case "streams" -> streams(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0] + " (open, streams)");
    }
  }

  /** The request's bytes: the body, Content-Length and any headers from the HEADERS variable. */
  static byte[] request(URI uri, boolean stream) {
    return request(
        uri, stream, "Summarise the benchmark rules in one sentence.", headers("HEADERS"));
  }

  private static String headers(String variable) {
    return System.getenv().getOrDefault(variable, "");
  }

  /** One request per line of PROMPTS_FILE, else the one fixed request; with the given headers. */
  static List<byte[]> requests(URI uri, boolean stream, String headers) throws java.io.IOException {
    String file = System.getenv("PROMPTS_FILE");
    if (file == null || file.isEmpty()) {
      return List.of(
          request(uri, stream, "Summarise the benchmark rules in one sentence.", headers));
    }
    List<byte[]> requests = new java.util.ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(file))) {
      if (!line.isBlank()) {
        requests.add(request(uri, stream, line, headers));
      }
    }
    return requests;
  }

  static byte[] request(URI uri, boolean stream, String prompt, String headers) {
    String quoted =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(prompt).toString();
    byte[] body =
        BODY.formatted(System.getenv().getOrDefault("MODEL", "bench"), stream, quoted)
            .getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder(
            "POST "
                + uri.getPath()
                + " HTTP/1.1\r\nHost: "
                + uri.getHost()
                + ":"
                + uri.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n");
    for (String header : headers.split(";")) {
      if (header.indexOf(':') > 0) {
        head.append(header.trim()).append("\r\n");
      }
    }
    byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, request, 0, headBytes.length);
    System.arraycopy(body, 0, request, headBytes.length, body.length);
    return request;
  }

  /** Fixed-rate load: WARMUP seconds unrecorded, then SECONDS recorded. */
  static void open(int rate, int seconds, int warmup, String url, boolean stream) throws Exception {
    URI uri = URI.create(url);
    List<byte[]> requests = requests(uri, stream, headers("HEADERS"));
    boolean twoKinds = !headers("HEADERS_B").isBlank();
    List<byte[]> requestsB = twoKinds ? requests(uri, stream, headers("HEADERS_B")) : requests;
    ConcurrentLinkedQueue<RawHttpConnection> idle = new ConcurrentLinkedQueue<>();
    Recorder recorder = new Recorder(3);
    Recorder recorderB = new Recorder(3);
    Recorder[] bySecond = new Recorder[seconds];
    for (int second = 0; second < seconds; second++) {
      bySecond[second] = new Recorder(3);
    }
    AtomicLong errors = new AtomicLong();
    int expected = Integer.parseInt(System.getenv().getOrDefault("EXPECT_STATUS", "200"));
    long intervalNanos = 1_000_000_000L / rate;
    long total = (long) rate * (seconds + warmup);
    long start = System.nanoTime() + 100_000_000;
    long recordFrom = start + warmup * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch((int) total);
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (long i = 0; i < total; i++) {
        long intended = start + i * intervalNanos;
        boolean kindB = twoKinds && i % 2 == 1;
        byte[] request =
            kindB
                ? requestsB.get((int) (i / 2 % requestsB.size()))
                : requests.get((int) ((twoKinds ? i / 2 : i) % requests.size()));
        Recorder kind = kindB ? recorderB : recorder;
        // Park rather than spin: the generator shares its core with the upstream. Lateness of a
        // send is
        // not lost: latency is measured from the intended start.
        long delay = intended - System.nanoTime();
        if (delay > 0) {
          LockSupport.parkNanos(delay);
        }
        workers.execute(
            () -> {
              RawHttpConnection connection = idle.poll();
              try {
                if (connection == null) {
                  connection = new RawHttpConnection(uri.getHost(), uri.getPort());
                }
                long[] first = {0};
                int status =
                    connection.exchange(
                        request,
                        stream
                            ? nanos -> {
                              if (first[0] == 0) {
                                first[0] = nanos;
                              }
                            }
                            : null);
                long end = stream ? first[0] : System.nanoTime();
                if (status != expected || end == 0) {
                  errors.incrementAndGet();
                } else if (intended >= recordFrom) {
                  kind.recordValue((end - intended) / 1_000);
                  int second = (int) ((intended - recordFrom) / 1_000_000_000L);
                  bySecond[Math.min(second, seconds - 1)].recordValue((end - intended) / 1_000);
                }
                if (connection.reusable()) {
                  idle.add(connection);
                } else {
                  connection.close();
                }
              } catch (Exception e) {
                errors.incrementAndGet();
                closeQuietly(connection);
              } finally {
                done.countDown();
              }
            });
      }
      done.await(120, TimeUnit.SECONDS);
    }
    idle.forEach(LoadHarness::closeQuietly);
    Histogram h = recorder.getIntervalHistogram();
    String what = stream ? "ttft" : "latency";
    if (!twoKinds) {
      System.out.printf(
          Locale.ROOT,
          "open rate=%d/s recorded=%ds %s n=%d errors=%d %s p99/s=[%s]%n",
          rate,
          seconds,
          what,
          h.getTotalCount(),
          errors.get(),
          percentiles(h),
          p99PerSecond(bySecond));
      return;
    }
    Histogram b = recorderB.getIntervalHistogram();
    System.out.printf(
        Locale.ROOT,
        "open rate=%d/s recorded=%ds %s errors=%d, alternating A and B%n"
            + "A n=%d %s%nB n=%d %s%n"
            + "B less A: p50=%+.3fms p90=%+.3fms p99=%+.3fms mean=%+.3fms%n",
        rate,
        seconds,
        what,
        errors.get(),
        h.getTotalCount(),
        percentiles(h),
        b.getTotalCount(),
        percentiles(b),
        (b.getValueAtPercentile(50) - h.getValueAtPercentile(50)) / 1e3,
        (b.getValueAtPercentile(90) - h.getValueAtPercentile(90)) / 1e3,
        (b.getValueAtPercentile(99) - h.getValueAtPercentile(99)) / 1e3,
        (b.getMean() - h.getMean()) / 1e3);
  }

  /** Each recorded second's p99 in ms: whether a tail is spread over the run or comes in bursts. */
  private static String p99PerSecond(Recorder[] bySecond) {
    List<String> values = new ArrayList<>();
    for (Recorder second : bySecond) {
      values.add(
          String.format(
              Locale.ROOT, "%.1f", second.getIntervalHistogram().getValueAtPercentile(99) / 1e3));
    }
    return String.join(" ", values);
  }

  private static String percentiles(Histogram h) {
    return String.format(
        Locale.ROOT,
        "p50=%.3fms p90=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms",
        h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(90) / 1e3,
        h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3,
        h.getMaxValue() / 1e3);
  }

  private static void closeQuietly(RawHttpConnection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (Exception ignored) {
        // Already broken.
      }
    }
  }

  /**
   * COUNT concurrent streams; a stall is a gap between chunks longer than GAP_MS + 100 ms. The
   * streams open evenly over one second (each lasts longer than that), so all COUNT are open
   * together without the generator's own core having to set up every connection in the same
   * instant.
   */
  static void streams(int count, String url, int gapMillis) throws Exception {
    URI uri = URI.create(url);
    byte[] request = request(uri, true);
    Histogram gaps = new Histogram(3);
    AtomicLong stalls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong completed = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long openAfterNanos = i * 1_000_000_000L / count;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      start.await();
                      LockSupport.parkNanos(openAfterNanos);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                    try (RawHttpConnection connection =
                        new RawHttpConnection(uri.getHost(), uri.getPort())) {
                      long[] last = {0};
                      long[] worst = {0};
                      long[] events = {0};
                      int status =
                          connection.exchange(
                              request,
                              nanos -> {
                                if (last[0] > 0) {
                                  worst[0] = Math.max(worst[0], nanos - last[0]);
                                }
                                last[0] = nanos;
                                events[0]++;
                              });
                      synchronized (gaps) {
                        gaps.recordValue(worst[0] / 1_000);
                      }
                      if (worst[0] / 1_000_000 > gapMillis + 100) {
                        stalls.incrementAndGet();
                      }
                      if (status == 200 && events[0] > 1) {
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
    System.out.printf(
        Locale.ROOT,
        "streams n=%d completed=%d errors=%d stalls(>%dms)=%d worst-gap p50=%.1fms p99=%.1fms"
            + " max=%.1fms%n",
        count,
        completed.get(),
        errors.get(),
        gapMillis + 100,
        stalls.get(),
        gaps.getValueAtPercentile(50) / 1e3,
        gaps.getValueAtPercentile(99) / 1e3,
        gaps.getMaxValue() / 1e3);
  }
}
