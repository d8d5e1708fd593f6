package dev.signalbox.bench;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's fake OpenAI upstream: a canned completion at once, or a stream of chunks with a
 * fixed gap. Written in Java on Helidon so that it is not the ceiling of the measurement.
 *
 * <p>It also accepts OTLP/HTTP exports and drops them.
 *
 * <p>Usage: {@code FastUpstream PORT [GAP_MS] [CHUNKS] [FAIL_SHARE]}. With a failure share, that
 * share of requests gets a 503 at once, spread evenly (never two in a row below one half), so that
 * runs compare.
 */
public final class FastUpstream {
  static final byte[] COMPLETION =
      ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Benchmarks"
           + " measure; they do not"
           + " guess.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}")
          .getBytes(StandardCharsets.UTF_8);
  static final byte[] CHUNK =
      ("data:"
           + " {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token"
           + " \"},\"finish_reason\":null}]}\n\n")
          .getBytes(StandardCharsets.UTF_8);
  static final byte[] FINISH =
      ("data:"
           + " {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
           + "data:"
           + " {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}\n\n"
           + "data: [DONE]\n\n")
          .getBytes(StandardCharsets.UTF_8);
  static final byte[] OVERLOADED =
      "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"
          .getBytes(StandardCharsets.UTF_8);

  private FastUpstream() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Duration gap = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 10);
    int chunks = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    double failShare = args.length > 3 ? Double.parseDouble(args[3]) : 0;
    AtomicLong requests = new AtomicLong();
    WebServer server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(port)
            .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
            .routing(
                r ->
                    r.post(
                            "/v1/chat/completions",
                            (req, res) -> {
                              long n = requests.getAndIncrement();
                              if (Math.floor((n + 1) * failShare) > Math.floor(n * failShare)) {
                                req.content().consume();
                                res.status(Status.SERVICE_UNAVAILABLE_503)
                                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                                    .send(OVERLOADED);
                              } else {
                                answer(req, res, gap, chunks);
                              }
                            })
                        // An OTLP/HTTP sink, for the gateway's telemetry under load.
                        .post("/v1/traces", FastUpstream::acceptOtlp)
                        .post("/v1/metrics", FastUpstream::acceptOtlp))
            .build()
            .start();
    System.out.println(
        "fake upstream on http://127.0.0.1:"
            + server.port()
            + "/v1 (stream gap "
            + gap.toMillis()
            + " ms, "
            + chunks
            + " chunks, failing "
            + failShare
            + ")");
    Thread.currentThread().join();
  }

  private static void acceptOtlp(ServerRequest req, ServerResponse res) {
    req.content().consume();
    res.header(HeaderNames.CONTENT_TYPE, "application/x-protobuf").send(new byte[0]);
  }

  private static void answer(ServerRequest req, ServerResponse res, Duration gap, int chunks)
      throws Exception {
    byte[] body = req.content().as(byte[].class);
    if (!contains(body, "\"stream\":true")) {
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.send(COMPLETION);
      return;
    }
    res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
    try (OutputStream out = res.outputStream()) {
      for (int i = 0; i < chunks; i++) {
        if (i > 0) {
          Thread.sleep(gap);
        }
        out.write(CHUNK);
        out.flush();
      }
      out.write(FINISH);
    }
  }

  private static boolean contains(byte[] body, String needle) {
    return new String(body, StandardCharsets.UTF_8).replace(" ", "").contains(needle);
  }
}
