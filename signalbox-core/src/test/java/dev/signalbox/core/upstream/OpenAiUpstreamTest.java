package dev.signalbox.core.upstream;

import static dev.signalbox.testing.ScriptedUpstreamServer.json;
import static dev.signalbox.testing.ScriptedUpstreamServer.keepAlive;
import static dev.signalbox.testing.ScriptedUpstreamServer.keepServing;
import static dev.signalbox.testing.ScriptedUpstreamServer.raw;
import static dev.signalbox.testing.ScriptedUpstreamServer.resetBeforeHeaders;
import static dev.signalbox.testing.ScriptedUpstreamServer.sse;
import static dev.signalbox.testing.ScriptedUpstreamServer.sseThenReset;
import static dev.signalbox.testing.ScriptedUpstreamServer.sseThenStall;
import static dev.signalbox.testing.ScriptedUpstreamServer.stall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.testing.ScriptedUpstreamServer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The OpenAI-compatible adapter against a real socket, one fault at a time. */
@Timeout(20)
class OpenAiUpstreamTest {
  private static final String ANSWER =
      "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
          + "\"hi\"},\"finish_reason\":\"stop\"}]}";

  private static final String CHUNK =
      "data:"
          + " {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}";
  private static final String FINISH =
      "data:"
          + " {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
  private static final String USAGE =
      "data:"
          + " {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11,\"prompt_tokens_details\":{\"cached_tokens\":4}}}";

  private ScriptedUpstreamServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private UpstreamReply send(boolean stream, String baseUrl) throws InterruptedException {
    return send(upstream(baseUrl), stream);
  }

  private static Upstream upstream(String baseUrl) {
    DeploymentSpec spec =
        TestConfigs.reader(Map.of("TEST_KEY", "sk-secret"))
            .read(
                "deployments:\n  - {name: d, provider: openai, base-url: '"
                    + baseUrl
                    + "', model: up-model, api-key-env: TEST_KEY, connect-timeout: 1s}\n"
                    + "models:\n  - {name: m, deployments: [d]}\n",
                "t")
            .deployment("d");
    return new UpstreamFactory(
            TimeSource.SYSTEM, Map.of("TEST_KEY", "sk-secret")::get, TestConfigs.tokens())
        .upstream(spec);
  }

  private static UpstreamReply send(Upstream upstream, boolean stream) throws InterruptedException {
    return send(upstream, stream, Duration.ofSeconds(5));
  }

  private static UpstreamReply send(Upstream upstream, boolean stream, Duration total)
      throws InterruptedException {
    return upstream.send(call(request(stream), total));
  }

  private static ChatRequest request(boolean stream) {
    return ChatRequestParser.parse(
        ("{\"model\":\"m\",\"stream\":"
                + stream
                + ",\"logit_bias\":{\"50256\":-100},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static UpstreamCall call(ChatRequest request, Duration total) {
    return new UpstreamCall(
        request, "up-model", Duration.ofMillis(400), Duration.ofMillis(400), total, 1);
  }

  private UpstreamReply send(boolean stream) throws InterruptedException {
    return send(stream, server.baseUrl());
  }

  private static List<Chunk> drain(UpstreamReply reply) throws InterruptedException {
    ChunkStream stream = ((UpstreamReply.Streaming) reply).chunks();
    List<Chunk> chunks = new ArrayList<>();
    Chunk c;
    do {
      c = stream.next();
      chunks.add(c);
    } while (c instanceof Chunk.Delta || c instanceof Chunk.Plain);
    return chunks;
  }

  private static UpstreamFailure failure(UpstreamReply reply) {
    return ((UpstreamReply.Failed) reply).failure();
  }

  @Test
  void aDeploymentsExtraHeadersAndQueryGoWithEveryRequestAndItsSecretHeaderIsRedacted()
      throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(400, "{\"error\":{\"message\":\"bad api-key azure-secret-123\"}}"));
    Map<String, String> environment = Map.of("AZURE_KEY", "azure-secret-123");
    DeploymentSpec spec =
        TestConfigs.reader(environment)
            .read(
                """
                deployments:
                  - name: azure
                    provider: openai
                    base-url: '%s/openai/deployments/gpt-4o'
                    headers: {x-ms-client-request-source: signalbox}
                    header-env: {api-key: AZURE_KEY}
                    query: {api-version: 2024-10-21}
                models:
                  - {name: m, deployments: [azure]}
                """
                    .formatted(server.baseUrl().replaceFirst("/v1$", "")),
                "t")
            .deployment("azure");
    UpstreamReply reply =
        new UpstreamFactory(TimeSource.SYSTEM, environment::get, TestConfigs.tokens())
            .upstream(spec)
            .send(
                new UpstreamCall(
                    ChatRequestParser.parse(
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                            .getBytes(StandardCharsets.UTF_8)),
                    "gpt-4o",
                    Duration.ofMillis(400),
                    Duration.ofMillis(400),
                    Duration.ofSeconds(5),
                    1));
    ScriptedUpstreamServer.RecordedRequest sent = server.requests().get(0);
    assertThat(sent.path())
        .isEqualTo("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
    assertThat(sent.headers())
        .containsEntry("api-key", "azure-secret-123")
        .containsEntry("x-ms-client-request-source", "signalbox")
        .doesNotContainKey("authorization");
    assertThat(failure(reply).toString()).doesNotContain("azure-secret-123");
  }

  @Test
  void forwardsTheBodyAsSentWithTheUpstreamModelAndKey() throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(
                200,
                "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10,\"prompt_tokens_details\":{\"cached_tokens\":8}}}"));
    UpstreamReply reply = send(false);
    assertThat(reply)
        .isInstanceOfSatisfying(
            UpstreamReply.Completed.class,
            c -> {
              assertThat(c.usage().promptTokens()).isEqualTo(9);
              assertThat(c.usage().cachedPromptTokens()).isEqualTo(8);
              assertThat(c.usage().estimated()).isFalse();
            });
    ScriptedUpstreamServer.RecordedRequest sent = server.requests().get(0);
    assertThat(sent.path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.headers()).containsEntry("authorization", "Bearer sk-secret");
    assertThat(sent.body()).contains("\"model\":\"up-model\"", "\"logit_bias\":{\"50256\":-100}");
  }

  @Test
  void answersOneAfterAnotherShareOneKeptConnection() throws Exception {
    server = new ScriptedUpstreamServer(keepServing(200, ANSWER));
    try (Upstream upstream = upstream(server.baseUrl())) {
      for (int i = 0; i < 3; i++) {
        assertThat(send(upstream, false)).isInstanceOf(UpstreamReply.Completed.class);
      }
    }
    // An answer read to its length but not to its end would close the connection each time.
    assertThat(server.requests()).hasSize(3);
    assertThat(server.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void aDeploymentKeepsNoMoreIdleConnectionsThanItSaysAfterABurst() throws Exception {
    int burst = 4;
    CountDownLatch allArrived = new CountDownLatch(burst);
    String answer =
        "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
            + "\"finish_reason\":\"stop\"}]}";
    // Every request waits for the others, so the burst needs four connections at once.
    server =
        new ScriptedUpstreamServer(
            (socket, out, scripted) -> {
              allArrived.countDown();
              allArrived.await();
              keepAlive(200, answer).respond(socket, out, scripted);
            });
    DeploymentSpec spec =
        TestConfigs.read(
                "deployments:\n  - {name: d, provider: openai, base-url: '"
                    + server.baseUrl()
                    + "', idle-connections: 2}\nmodels:\n  - {name: m, deployments: [d]}\n")
            .deployment("d");
    var upstream =
        new UpstreamFactory(TimeSource.SYSTEM, name -> null, TestConfigs.tokens()).upstream(spec);
    ChatRequest request =
        ChatRequestParser.parse(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.UTF_8));
    try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<UpstreamReply>> replies = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        replies.add(
            callers.submit(
                () ->
                    upstream.send(
                        new UpstreamCall(
                            request,
                            "d",
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(5),
                            1))));
      }
      for (Future<UpstreamReply> reply : replies) {
        assertThat(reply.get()).isInstanceOf(UpstreamReply.Completed.class);
      }
    }
    // The two connections past the pool's size are closed once their answers are read.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (server.openConnections() > 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.openConnections()).isEqualTo(2);
  }

  @Test
  void countsTokensWhenTheUpstreamReportsNoUsage() throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(
                200,
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"one"
                    + " two three\"},\"finish_reason\":\"stop\"}]}"));
    assertThat(send(false))
        .isInstanceOfSatisfying(
            UpstreamReply.Completed.class,
            c -> {
              assertThat(c.usage().estimated()).isTrue();
              assertThat(c.usage().completionTokens()).isEqualTo(3);
            });
  }

  @Test
  void relaysAStreamChunkByChunkAndKeepsItsUsage() throws Exception {
    server =
        new ScriptedUpstreamServer(
            sse(
                Duration.ofMillis(5),
                CHUNK.formatted("Hel"),
                CHUNK.formatted("lo"),
                FINISH,
                USAGE,
                "data: [DONE]"));
    List<Chunk> chunks = drain(send(true));
    assertThat(chunks).hasSize(4);
    // The first chunk is read in full; a later text-only one is relayed as the upstream sent it.
    assertThat(chunks.get(0)).isInstanceOf(Chunk.Delta.class);
    assertThat(chunks.get(1))
        .isEqualTo(new Chunk.Plain(CHUNK.formatted("lo").substring("data: ".length()), "lo"));
    assertThat(chunks.get(3))
        .isEqualTo(new Chunk.Done(new dev.signalbox.api.Usage(9, 4, 2, false), "stop"));
    assertThat(server.requests().get(0).body())
        .contains("\"stream_options\":{\"include_usage\":true}");
  }

  /**
   * A whole answer sent without blocking reads and fails as one sent by a waiting thread: the same
   * completion, and each fault the same failure, message and all.
   */
  @Test
  void withoutBlockingAWholeAnswerAndEachFaultComeBackAsTheyDoBlocking() throws Exception {
    List<java.util.function.Supplier<ScriptedUpstreamServer.Behaviour>> faults =
        List.of(
            () -> keepServing(200, ANSWER),
            () -> json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "7"),
            () -> json(401, "{\"error\":{\"message\":\"Incorrect API key: sk-secret\"}}"),
            () -> json(500, "not json at all"),
            () -> json(200, "{\"choices\": [unterminated"),
            () -> json(200, "{\"no\": \"choices\"}"),
            ScriptedUpstreamServer::resetBeforeHeaders,
            () -> raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"choi"),
            ScriptedUpstreamServer::stall);
    for (var fault : faults) {
      server = new ScriptedUpstreamServer(fault.get());
      try (Upstream upstream = upstream(server.baseUrl())) {
        UpstreamReply blocking = send(upstream, false, Duration.ofMillis(300));
        assertThat(upstream.sendsWithoutBlocking(request(false))).isTrue();
        UpstreamReply withoutBlocking =
            upstream
                .sendWithoutBlocking(call(request(false), Duration.ofMillis(300)))
                .toCompletableFuture()
                .get();
        assertThat(withoutBlocking.getClass()).isEqualTo(blocking.getClass());
        if (blocking instanceof UpstreamReply.Failed failed) {
          assertThat(failure(withoutBlocking)).isEqualTo(failed.failure());
        } else {
          assertThat(((UpstreamReply.Completed) withoutBlocking).body())
              .isEqualTo(((UpstreamReply.Completed) blocking).body());
        }
      }
      server.close();
    }
    server = null;
    assertThat(upstream("http://127.0.0.1:1/v1").sendsWithoutBlocking(request(true))).isTrue();
  }

  @Test
  void aRefusedConnectionIsAConnectFailure() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    assertThat(failure(send(false, "http://127.0.0.1:" + closedPort + "/v1")).kind())
        .isEqualTo(UpstreamFailure.Kind.CONNECT);
  }

  @Test
  void aResetBeforeHeadersIsAReset() throws Exception {
    server = new ScriptedUpstreamServer(resetBeforeHeaders());
    UpstreamFailure failure = failure(send(false));
    assertThat(failure.kind()).isEqualTo(UpstreamFailure.Kind.RESET);
    assertThat(failure.message())
        .startsWith("connection closed before response headers: ")
        .doesNotEndWith("null");
  }

  @Test
  void errorStatusesCarryTheUpstreamMessageAndRetryAfter() throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "7"));
    UpstreamFailure f = failure(send(false));
    assertThat(f.status()).isEqualTo(429);
    assertThat(f.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(f.message()).isEqualTo("HTTP 429: slow down");
  }

  @Test
  void credentialErrorsNeverEchoTheUpstreamsText() throws Exception {
    server =
        new ScriptedUpstreamServer(
            json(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-secret\"}}"));
    assertThat(failure(send(false)).message())
        .isEqualTo("HTTP 401: upstream rejected the gateway's credentials")
        .doesNotContain("sk-");
  }

  @Test
  void noHeadersBeforeTheFirstTokenTimeoutIsATimeout() throws Exception {
    server = new ScriptedUpstreamServer(stall());
    assertThat(failure(send(true)).kind()).isEqualTo(UpstreamFailure.Kind.TIMEOUT);
  }

  /**
   * The HTTP client watches a pooled connection for as long as the socket's read timeout says and
   * then gives it up (checking every 101 ms): a gateway that set no read timeout opened a new
   * connection for every call more than 101 ms after the last, and leaked the old one.
   */
  @Test
  void onTheGatewaysVirtualThreadsAConnectionIdleForAWhileIsKept() throws Exception {
    server = new ScriptedUpstreamServer(keepServing(200, ANSWER));
    try (Upstream upstream = upstream(server.baseUrl())) {
      for (int i = 0; i < 2; i++) {
        assertThat(onVirtualThread(() -> send(upstream, false)))
            .isInstanceOf(UpstreamReply.Completed.class);
        Thread.sleep(350); // idle for three of the client's checks
      }
    }
    assertThat(server.acceptedConnections()).isEqualTo(1);
  }

  private static <T> T onVirtualThread(Callable<T> work) throws Exception {
    try (ExecutorService thread = Executors.newVirtualThreadPerTaskExecutor()) {
      return thread.submit(work).get();
    }
  }

  @Test
  void aStallMidStreamBreaksTheStreamAfterTheIdleTimeout() throws Exception {
    server = new ScriptedUpstreamServer(sseThenStall(CHUNK.formatted("a")));
    List<Chunk> chunks = drain(send(true));
    assertThat(chunks.get(0)).isInstanceOf(Chunk.Delta.class);
    assertThat(chunks.get(1))
        .isInstanceOfSatisfying(
            Chunk.Broken.class,
            b -> {
              assertThat(b.failure().kind()).isEqualTo(UpstreamFailure.Kind.TIMEOUT);
              assertThat(b.failure().message()).isEqualTo("no chunk within 400 ms");
            });
  }

  @Test
  void aCutMidStreamIsAReset() throws Exception {
    server = new ScriptedUpstreamServer(sseThenReset(CHUNK.formatted("a")));
    List<Chunk> chunks = drain(send(true));
    assertThat(chunks.get(1))
        .isInstanceOfSatisfying(
            Chunk.Broken.class,
            b -> assertThat(b.failure().kind()).isEqualTo(UpstreamFailure.Kind.RESET));
  }

  @Test
  void malformedJsonAndSseAreMalformed() throws Exception {
    server = new ScriptedUpstreamServer(json(200, "{\"choices\": [unterminated"));
    UpstreamFailure failure = failure(send(false));
    assertThat(failure.kind()).isEqualTo(UpstreamFailure.Kind.MALFORMED);
    assertThat(failure.message())
        .startsWith("answer is not JSON: ")
        .contains("line 1, column")
        .doesNotContain("Source", "REDACTED", "StreamReadFeature", "com.fasterxml");
    server.always(sse(Duration.ZERO, "data: {not json"));
    assertThat(drain(send(true)).get(0))
        .isInstanceOfSatisfying(
            Chunk.Broken.class,
            b -> assertThat(b.failure().kind()).isEqualTo(UpstreamFailure.Kind.MALFORMED));
  }

  @Test
  void aStreamThatEndsWithoutDoneOrFinishIsBroken() throws Exception {
    server = new ScriptedUpstreamServer(sse(Duration.ZERO, CHUNK.formatted("a")));
    List<Chunk> chunks = drain(send(true));
    assertThat(chunks.get(1))
        .isInstanceOfSatisfying(
            Chunk.Broken.class,
            b -> assertThat(b.failure().message()).isEqualTo("stream ended before [DONE]"));
  }

  @Test
  void aResponseThatIsNotHttpIsAReset() throws Exception {
    server = new ScriptedUpstreamServer(raw("garbage\r\n\r\n"));
    assertThat(failure(send(false)).kind())
        .isIn(UpstreamFailure.Kind.RESET, UpstreamFailure.Kind.MALFORMED);
  }

  /**
   * A stream read for its first chunk and then pushed gives the same chunks, each fault included,
   * as one read to its end; the pushed chunks come on the connection's event loop.
   */
  @Test
  void aStreamPushedAfterItsFirstChunkGivesTheSameChunksAsOneReadToItsEnd() throws Exception {
    List<java.util.function.Supplier<ScriptedUpstreamServer.Behaviour>> streams =
        List.of(
            () ->
                sse(
                    Duration.ofMillis(5),
                    CHUNK.formatted("Hel"),
                    ": a comment between chunks",
                    CHUNK.formatted("lo"),
                    FINISH,
                    USAGE,
                    "data: [DONE]"),
            () -> sse(Duration.ZERO, CHUNK.formatted("a"), CHUNK.formatted("b"), FINISH),
            () -> sse(Duration.ZERO, CHUNK.formatted("a")),
            () -> sse(Duration.ofMillis(5), CHUNK.formatted("a"), "data: {not json"),
            () ->
                sse(
                    Duration.ofMillis(5),
                    CHUNK.formatted("a"),
                    "data: {\"error\":{\"message\":\"overloaded\"}}"),
            () -> sseThenStall(CHUNK.formatted("a"), CHUNK.formatted("b")),
            () -> sseThenReset(CHUNK.formatted("a"), CHUNK.formatted("b")));
    for (var stream : streams) {
      server = new ScriptedUpstreamServer(stream.get());
      List<Chunk> read = drain(send(true));
      server.close();
      server = new ScriptedUpstreamServer(stream.get());
      ChunkStream pushed = ((UpstreamReply.Streaming) send(true)).chunks();
      assertThat(pushed.pushes()).isTrue();
      List<Boolean> onLoop = new ArrayList<>();
      assertThat(firstReadRestPushed(pushed, onLoop)).isEqualTo(read);
      assertThat(onLoop).containsOnly(true);
      server.close();
    }
    server = null;
  }

  /**
   * A stream sent without blocking comes with its first chunk ready, then pushes the rest; its
   * chunks and each fault are as a stream sent by a waiting thread gives them, message and all.
   */
  @Test
  void aStreamSentWithoutBlockingAndEachFaultComeBackAsTheyDoBlocking() throws Exception {
    List<java.util.function.Supplier<ScriptedUpstreamServer.Behaviour>> streams =
        List.of(
            () ->
                sse(
                    Duration.ofMillis(5),
                    CHUNK.formatted("Hel"),
                    CHUNK.formatted("lo"),
                    FINISH,
                    USAGE,
                    "data: [DONE]"),
            () -> sse(Duration.ZERO, CHUNK.formatted("a"), CHUNK.formatted("b"), FINISH),
            () -> sse(Duration.ZERO, "data: {not json"),
            () -> json(429, "{\"error\":{\"message\":\"slow down\"}}", "Retry-After", "7"),
            () -> json(401, "{\"error\":{\"message\":\"Incorrect API key: sk-secret\"}}"),
            () -> json(500, "not json at all"),
            ScriptedUpstreamServer::resetBeforeHeaders,
            ScriptedUpstreamServer::stall,
            () -> sseThenStall(CHUNK.formatted("a"), CHUNK.formatted("b")),
            () -> sseThenReset(CHUNK.formatted("a")));
    for (var stream : streams) {
      server = new ScriptedUpstreamServer(stream.get());
      UpstreamReply blocking;
      List<Chunk> read = List.of();
      try (Upstream upstream = upstream(server.baseUrl())) {
        blocking = send(upstream, true);
        if (blocking instanceof UpstreamReply.Streaming) {
          read = drain(blocking);
        }
      }
      server.close();
      server = new ScriptedUpstreamServer(stream.get());
      try (Upstream upstream = upstream(server.baseUrl())) {
        UpstreamReply withoutBlocking =
            upstream
                .sendWithoutBlocking(call(request(true), Duration.ofSeconds(5)))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertThat(withoutBlocking.getClass()).isEqualTo(blocking.getClass());
        if (blocking instanceof UpstreamReply.Failed failed) {
          assertThat(failure(withoutBlocking)).isEqualTo(failed.failure());
        } else {
          ChunkStream pushed = ((UpstreamReply.Streaming) withoutBlocking).chunks();
          assertThat(firstReadRestPushed(pushed, new ArrayList<>())).isEqualTo(read);
        }
      }
      server.close();
    }
    server = null;
  }

  /**
   * The stream's first chunk taken by {@link ChunkStream#next()}, the rest pushed until a chunk
   * ends it; {@code onLoop} gets, per pushed chunk, whether it came on an event loop.
   */
  private static List<Chunk> firstReadRestPushed(ChunkStream stream, List<Boolean> onLoop)
      throws Exception {
    List<Chunk> chunks = new ArrayList<>(List.of(stream.next()));
    CompletableFuture<Void> ended = new CompletableFuture<>();
    if (continues(chunks.get(0))) {
      stream.push(
          chunk -> {
            onLoop.add(dev.signalbox.core.net.IoLoops.current().isPresent());
            chunks.add(chunk);
            if (!continues(chunk)) {
              ended.complete(null);
            }
          });
    } else {
      ended.complete(null);
    }
    ended.get(5, TimeUnit.SECONDS);
    return chunks;
  }

  private static boolean continues(Chunk chunk) {
    return chunk instanceof Chunk.Delta || chunk instanceof Chunk.Plain;
  }
}
