package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.NativeBody;
import dev.signalbox.api.Role;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.SimSettings;
import dev.signalbox.core.embeddings.EmbeddingsReply;
import dev.signalbox.core.embeddings.EmbeddingsRequest;
import dev.signalbox.core.embeddings.HashedVectors;
import dev.signalbox.core.text.TokenCounter;
import dev.signalbox.core.wire.Completions;
import dev.signalbox.core.wire.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A simulated model in process: latency, length and faults drawn from the deployment's
 * distributions with the attempt's seed, so the same seed gives the same answer, timing and fault.
 * Sleeps go through the injected {@link TimeSource}, so tests run it on a manual clock. Given a
 * {@link ReplaySource} it is a replay deployment: it answers each conversation with the recorded
 * answer of its model (the text, else a placeholder of the recorded length) after the recorded
 * latency, where recorded.
 */
public final class SimUpstream implements Upstream {
  private static final int[] SERVER_ERRORS = {500, 502, 503};
  private static final Pattern WORD_ENDS = Pattern.compile("(?<=\\s)(?=\\S)");

  private final DeploymentSpec spec;
  private final SimSettings sim;
  private final TimeSource time;
  private final String[] words;
  private final Optional<ReplaySource> replay;
  private final Semaphore slots;
  private final TokenCounter tokens;

  public SimUpstream(DeploymentSpec spec, TimeSource time, TokenCounter tokens) {
    this(spec, time, tokens, Optional.empty());
  }

  public SimUpstream(
      DeploymentSpec spec, TimeSource time, TokenCounter tokens, Optional<ReplaySource> replay) {
    this.spec = spec;
    this.tokens = tokens;
    this.sim = spec.sim();
    this.time = time;
    this.words = sim.answer().isBlank() ? new String[] {"ok"} : sim.answer().trim().split("\\s+");
    this.replay = replay;
    this.slots = sim.maxConcurrency() > 0 ? new Semaphore(sim.maxConcurrency(), true) : null;
  }

  @Override
  public UpstreamReply send(UpstreamCall call) throws InterruptedException {
    SplittableRandom random = new SplittableRandom(call.seed());
    Plan plan = plan(call, random);
    if (slots == null) {
      return serve(plan, call, () -> {});
    }
    // A full batch: wait for a slot, as a real server queues; the wait counts in the latency.
    slots.acquire();
    Runnable release =
        new Runnable() {
          private final AtomicBoolean released = new AtomicBoolean();

          @Override
          public void run() {
            if (released.compareAndSet(false, true)) {
              slots.release();
            }
          }
        };
    try {
      UpstreamReply reply = serve(plan, call, release);
      if (!(reply instanceof UpstreamReply.Streaming)) {
        release.run();
      }
      return reply;
    } catch (InterruptedException | RuntimeException e) {
      release.run();
      throw e;
    }
  }

  /** The attempt once it has a slot; {@code release} gives the slot back when a stream ends. */
  private UpstreamReply serve(Plan plan, UpstreamCall call, Runnable release)
      throws InterruptedException {
    if (plan.failure.isPresent()) {
      time.sleep(plan.firstToken);
      return new UpstreamReply.Failed(plan.failure.get());
    }
    if (plan.firstToken.compareTo(call.firstTokenTimeout()) > 0) {
      time.sleep(call.firstTokenTimeout());
      return new UpstreamReply.Failed(
          UpstreamFailure.of(
              UpstreamFailure.Kind.TIMEOUT,
              "no first token within " + call.firstTokenTimeout().toMillis() + " ms"));
    }
    Optional<ObjectNode> embeddings =
        call.request().nativeBody(NativeBody.Protocol.OPENAI_EMBEDDINGS);
    if (embeddings.isPresent()) {
      time.sleep(plan.firstToken);
      return embedded(embeddings.get(), call);
    }
    if (call.request().stream()) {
      return new UpstreamReply.Streaming(new SimStream(plan, call, release));
    }
    time.sleep(plan.firstToken.plus(plan.rest));
    return new UpstreamReply.Completed(completion(plan, call), plan.usage(), plan.finishReason);
  }

  /**
   * Everything the seed (and the recording) decides about one attempt.
   *
   * @param rest the time from the first piece to the last
   * @param pieces the answer's text in the pieces a stream sends, one per chunk
   * @param outputTokens the completion tokens reported in usage
   */
  private record Plan(
      Optional<UpstreamFailure> failure,
      Duration firstToken,
      Duration rest,
      List<String> pieces,
      int outputTokens,
      int cutAfter,
      String finishReason,
      boolean toolCall,
      long promptTokens,
      String id) {
    Usage usage() {
      return new Usage(promptTokens, 0, outputTokens, false);
    }

    String text() {
      return String.join("", pieces);
    }

    /**
     * The wait before piece {@code i} (from 1), so that the last one comes exactly {@code rest}
     * after the first.
     */
    Duration gapBefore(int i) {
      long n = Math.max(1, pieces.size() - 1);
      return Duration.ofNanos(rest.toNanos() * i / n - rest.toNanos() * (i - 1) / n);
    }
  }

  private Plan plan(UpstreamCall call, SplittableRandom random) {
    ChatRequest request = call.request();
    Duration firstToken = millis(sim.timeToFirstTokenMillis().sample(random));
    double perToken = sim.millisPerToken().sample(random);
    int drawn = (int) Math.max(1, Math.round(sim.outputTokens().sample(random)));
    Optional<ReplaySource.Recorded> recorded = Optional.empty();
    boolean embeddings = request.nativeBody(NativeBody.Protocol.OPENAI_EMBEDDINGS).isPresent();
    if (replay.isPresent() && !embeddings) { // a recording keeps no vectors
      recorded = replay.get().answer(request.messages(), call.upstreamModel());
      if (recorded.isEmpty()) {
        return failedPlan(
            UpstreamFailure.status(
                404,
                Optional.empty(),
                "HTTP 404: the replay source has no answer of '"
                    + call.upstreamModel()
                    + "' to this conversation"),
            call);
      }
    }
    List<String> pieces =
        recorded
            .filter(r -> !r.text().isEmpty())
            .map(r -> List.of(WORD_ENDS.split(r.text())))
            .orElse(null);
    int length =
        recorded
            .flatMap(
                r ->
                    r.outputTokens().isPresent()
                        ? Optional.of(r.outputTokens().getAsInt())
                        : Optional.empty())
            .orElse(pieces != null ? pieces.size() : drawn);
    if (pieces == null) {
      pieces = placeholder(Math.max(1, length));
    }
    int limit = request.maxTokens().orElse(Integer.MAX_VALUE);
    String finish = "stop";
    if (length > limit) {
      finish = "length";
      pieces =
          pieces.subList(0, Math.max(1, (int) Math.round((double) pieces.size() * limit / length)));
      length = limit;
    }
    length = Math.max(1, length);
    Duration rest = millis(perToken * Math.max(0, length - 1));
    OptionalDouble latency =
        recorded.map(ReplaySource.Recorded::latencyMillis).orElse(OptionalDouble.empty());
    if (latency.isPresent()) {
      Duration total = millis(latency.getAsDouble());
      firstToken = firstToken.compareTo(total) < 0 ? firstToken : total;
      rest = total.minus(firstToken);
    }
    boolean toolCall = replay.isEmpty() && wantsToolCall(request);
    double fault = random.nextDouble();
    Optional<UpstreamFailure> failure = Optional.empty();
    if (fault < sim.errorRate()) {
      int status = SERVER_ERRORS[random.nextInt(SERVER_ERRORS.length)];
      failure =
          Optional.of(
              UpstreamFailure.status(
                  status, Optional.empty(), "HTTP " + status + ": simulated server error"));
      firstToken = millis((double) Math.min(5, firstToken.toMillis()));
    } else if (fault < sim.errorRate() + sim.rateLimitRate()) {
      failure =
          Optional.of(
              UpstreamFailure.status(
                  429, Optional.of(sim.retryAfter()), "HTTP 429: simulated rate limit"));
      firstToken = millis((double) Math.min(5, firstToken.toMillis()));
    } else if (fault < sim.errorRate() + sim.rateLimitRate() + sim.timeoutRate()) {
      firstToken = call.firstTokenTimeout().plusMillis(1);
    }
    int cutAfter = random.nextDouble() < sim.cutRate() ? Math.max(1, pieces.size() / 2) : -1;
    long promptTokens = tokens.countPrompt(request.messages(), request.tools());
    String id = "chatcmpl-sim-" + Long.toHexString(call.seed());
    return new Plan(
        failure,
        firstToken,
        rest,
        toolCall ? List.of("") : pieces,
        toolCall ? 1 : length,
        cutAfter,
        toolCall ? "tool_calls" : finish,
        toolCall,
        promptTokens,
        id);
  }

  /** Vectors of the request's inputs (see {@link HashedVectors}), their tokens counted. */
  private UpstreamReply embedded(ObjectNode request, UpstreamCall call) {
    long promptTokens = tokens.count(call.request().lastUserText());
    int dimensions = request.path("dimensions").asInt(HashedVectors.DEFAULT_DIMENSIONS);
    List<float[]> vectors =
        EmbeddingsRequest.inputs(request).stream()
            .map(text -> HashedVectors.of(text, dimensions))
            .toList();
    ObjectNode answer = EmbeddingsReply.of(request, vectors, call.upstreamModel(), promptTokens);
    return new UpstreamReply.Completed(
        Json.object(), new Usage(promptTokens, 0, 0, false), "stop", Optional.of(answer));
  }

  private static Plan failedPlan(UpstreamFailure failure, UpstreamCall call) {
    return new Plan(
        Optional.of(failure),
        Duration.ZERO,
        Duration.ZERO,
        List.of(""),
        0,
        -1,
        "stop",
        false,
        0,
        "chatcmpl-sim-" + Long.toHexString(call.seed()));
  }

  /** The configured answer's words, repeated to {@code tokens} pieces. */
  private List<String> placeholder(int tokens) {
    List<String> pieces = new ArrayList<>(tokens);
    for (int i = 0; i < tokens; i++) {
      pieces.add((i == 0 ? "" : " ") + words[i % words.length]);
    }
    return pieces;
  }

  private static boolean wantsToolCall(ChatRequest request) {
    if (request.tools().isEmpty() || request.messages().isEmpty()) {
      return false;
    }
    if (request.toolChoice().isTextual() && request.toolChoice().asText().equals("none")) {
      return false;
    }
    return request.messages().get(request.messages().size() - 1).role() == Role.USER;
  }

  private ObjectNode completion(Plan plan, UpstreamCall call) {
    Completions.Message message =
        plan.toolCall
            ? Completions.Message.calling(List.of(toolCall(call.request(), plan)))
            : Completions.Message.text(plan.text());
    return Completions.Completion.of(
            plan.id,
            time.now().getEpochSecond(),
            call.upstreamModel(),
            message,
            plan.finishReason,
            plan.usage())
        .json();
  }

  private static Completions.ToolCallBody toolCall(ChatRequest request, Plan plan) {
    return Completions.ToolCallBody.function(
        "call_" + plan.id.substring(plan.id.length() - 8), request.tools().get(0).name(), "{}");
  }

  private static Duration millis(double ms) {
    return Duration.ofNanos((long) (Math.max(0, ms) * 1_000_000));
  }

  @Override
  public String toString() {
    return "sim(" + spec.name() + ")";
  }

  /** Emits one token a chunk at the simulated pace. */
  private final class SimStream implements ChunkStream {
    private final Plan plan;
    private final UpstreamCall call;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final long created;
    private int sent;
    private boolean finished;

    private final Runnable release;

    SimStream(Plan plan, UpstreamCall call, Runnable release) {
      this.plan = plan;
      this.call = call;
      this.release = release;
      this.created = time.now().getEpochSecond();
    }

    @Override
    public Chunk next() throws InterruptedException {
      if (cancelled.get()) {
        release.run();
        return new Chunk.Broken(
            UpstreamFailure.of(UpstreamFailure.Kind.CANCELLED, "cancelled: the client went away"));
      }
      if (finished) {
        return new Chunk.Done(plan.usage(), plan.finishReason);
      }
      if (sent == plan.cutAfter) {
        release.run();
        return new Chunk.Broken(
            UpstreamFailure.of(
                UpstreamFailure.Kind.RESET, "simulated cut after " + sent + " tokens"));
      }
      ObjectNode chunk = Json.chunk(plan.id, created, call.upstreamModel());
      // The finish chunk follows the last piece at once, so a stream takes as long as the whole
      // answer.
      if (sent == plan.pieces.size()) {
        Json.choiceDelta(chunk, plan.finishReason);
        finished = true;
        release.run();
        return new Chunk.Delta(chunk);
      }
      time.sleep(sent == 0 ? plan.firstToken : plan.gapBefore(sent));
      ObjectNode delta = Json.choiceDelta(chunk, null);
      if (sent == 0) {
        delta.put("role", "assistant");
      }
      if (plan.toolCall) {
        delta.set(
            "tool_calls", Json.MAPPER.valueToTree(List.of(toolCall(call.request(), plan).at(0))));
      } else {
        delta.put("content", plan.pieces.get(sent));
      }
      sent++;
      return new Chunk.Delta(chunk);
    }

    @Override
    public void cancel() {
      cancelled.set(true);
      release.run();
    }
  }
}
