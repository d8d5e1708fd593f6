package dev.signalbox.core.upstream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.Chunk;
import dev.signalbox.api.ChunkStream;
import dev.signalbox.api.Role;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Upstream;
import dev.signalbox.api.UpstreamCall;
import dev.signalbox.api.UpstreamFailure;
import dev.signalbox.api.UpstreamReply;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.SimSettings;
import dev.signalbox.core.routing.TokenCounter;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A simulated model in process: latency, length and faults drawn from the deployment's distributions
 * with the attempt's seed, so the same seed gives the same answer, timing and fault. Sleeps go through
 * the injected {@link TimeSource}, so tests run it on a manual clock.
 */
public final class SimUpstream implements Upstream {
  private static final int[] SERVER_ERRORS = {500, 502, 503};

  private final DeploymentSpec spec;
  private final SimSettings sim;
  private final TimeSource time;
  private final String[] words;

  public SimUpstream(DeploymentSpec spec, TimeSource time) {
    this.spec = spec;
    this.sim = spec.sim();
    this.time = time;
    this.words = sim.answer().isBlank() ? new String[] {"ok"} : sim.answer().trim().split("\\s+");
  }

  @Override
  public UpstreamReply send(UpstreamCall call) throws InterruptedException {
    SplittableRandom random = new SplittableRandom(call.seed());
    Plan plan = plan(call, random);
    if (plan.failure.isPresent()) {
      time.sleep(plan.firstToken);
      return new UpstreamReply.Failed(plan.failure.get());
    }
    if (plan.firstToken.compareTo(call.firstTokenTimeout()) > 0) {
      time.sleep(call.firstTokenTimeout());
      return new UpstreamReply.Failed(UpstreamFailure.of(UpstreamFailure.Kind.TIMEOUT, "no first token within " + call.firstTokenTimeout().toMillis() + " ms"));
    }
    if (call.request().stream()) {
      return new UpstreamReply.Streaming(new SimStream(plan, call));
    }
    time.sleep(plan.firstToken.plus(plan.perToken.multipliedBy(Math.max(0, plan.outputTokens - 1))));
    return new UpstreamReply.Completed(completion(plan, call), plan.usage(), plan.finishReason);
  }

  /** Everything the seed decides about one attempt. */
  private record Plan(
      Optional<UpstreamFailure> failure,
      Duration firstToken,
      Duration perToken,
      int outputTokens,
      int cutAfter,
      String finishReason,
      boolean toolCall,
      long promptTokens,
      String id) {
    Usage usage() {
      return new Usage(promptTokens, 0, outputTokens, false);
    }
  }

  private Plan plan(UpstreamCall call, SplittableRandom random) {
    ChatRequest request = call.request();
    Duration firstToken = millis(sim.timeToFirstTokenMillis().sample(random));
    Duration perToken = millis(sim.millisPerToken().sample(random));
    int drawn = (int) Math.max(1, Math.round(sim.outputTokens().sample(random)));
    int limit = request.maxTokens().orElse(Integer.MAX_VALUE);
    int outputTokens = Math.max(1, Math.min(drawn, limit));
    String finish = drawn > limit ? "length" : "stop";
    boolean toolCall = wantsToolCall(request);
    double fault = random.nextDouble();
    Optional<UpstreamFailure> failure = Optional.empty();
    if (fault < sim.errorRate()) {
      int status = SERVER_ERRORS[random.nextInt(SERVER_ERRORS.length)];
      failure = Optional.of(UpstreamFailure.status(status, Optional.empty(), "HTTP " + status + ": simulated server error"));
      firstToken = millis(Math.min(5, firstToken.toMillis()));
    } else if (fault < sim.errorRate() + sim.rateLimitRate()) {
      failure = Optional.of(UpstreamFailure.status(429, Optional.of(sim.retryAfter()), "HTTP 429: simulated rate limit"));
      firstToken = millis(Math.min(5, firstToken.toMillis()));
    } else if (fault < sim.errorRate() + sim.rateLimitRate() + sim.timeoutRate()) {
      firstToken = call.firstTokenTimeout().plusMillis(1);
    }
    int cutAfter = random.nextDouble() < sim.cutRate() ? Math.max(1, outputTokens / 2) : -1;
    long promptTokens = TokenCounter.shared().countPrompt(request.messages(), request.tools());
    String id = "chatcmpl-sim-" + Long.toHexString(call.seed());
    return new Plan(failure, firstToken, perToken, toolCall ? 1 : outputTokens, cutAfter,
        toolCall ? "tool_calls" : finish, toolCall, promptTokens, id);
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

  private String text(int tokens) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      text.append(i == 0 ? "" : " ").append(words[i % words.length]);
    }
    return text.toString();
  }

  private ObjectNode completion(Plan plan, UpstreamCall call) {
    ObjectNode body = Json.object();
    body.put("id", plan.id);
    body.put("object", "chat.completion");
    body.put("created", time.now().getEpochSecond());
    body.put("model", call.upstreamModel());
    ArrayNode choices = body.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    if (plan.toolCall) {
      message.putNull("content");
      message.set("tool_calls", Json.MAPPER.createArrayNode().add(toolCall(call.request(), plan)));
    } else {
      message.put("content", text(plan.outputTokens));
    }
    choice.put("finish_reason", plan.finishReason);
    body.set("usage", Json.usage(plan.usage()));
    return body;
  }

  private static ObjectNode toolCall(ChatRequest request, Plan plan) {
    ObjectNode call = Json.object();
    call.put("id", "call_" + plan.id.substring(plan.id.length() - 8));
    call.put("type", "function");
    call.putObject("function").put("name", request.tools().get(0).name()).put("arguments", "{}");
    return call;
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

    SimStream(Plan plan, UpstreamCall call) {
      this.plan = plan;
      this.call = call;
      this.created = time.now().getEpochSecond();
    }

    @Override
    public Chunk next() throws InterruptedException {
      if (cancelled.get()) {
        return new Chunk.Broken(UpstreamFailure.of(UpstreamFailure.Kind.CANCELLED, "cancelled: the client went away"));
      }
      if (finished) {
        return new Chunk.Done(plan.usage(), plan.finishReason);
      }
      if (sent == plan.cutAfter) {
        return new Chunk.Broken(UpstreamFailure.of(UpstreamFailure.Kind.RESET, "simulated cut after " + sent + " tokens"));
      }
      time.sleep(sent == 0 ? plan.firstToken : plan.perToken);
      ObjectNode chunk = Json.chunk(plan.id, created, call.upstreamModel());
      if (sent == plan.outputTokens) {
        Json.choiceDelta(chunk, plan.finishReason);
        finished = true;
        return new Chunk.Delta(chunk);
      }
      ObjectNode delta = Json.choiceDelta(chunk, null);
      if (sent == 0) {
        delta.put("role", "assistant");
      }
      if (plan.toolCall) {
        ObjectNode tool = toolCall(call.request(), plan);
        tool.put("index", 0);
        delta.putArray("tool_calls").add(tool);
      } else {
        delta.put("content", (sent == 0 ? "" : " ") + words[sent % words.length]);
      }
      sent++;
      return new Chunk.Delta(chunk);
    }

    @Override
    public void cancel() {
      cancelled.set(true);
    }
  }
}
