package dev.signalbox.core.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.CascadeStepTrace;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Usage;
import dev.signalbox.core.cascade.AnswerChecks;
import dev.signalbox.core.cascade.StageAnswer;
import dev.signalbox.core.cascade.StageVerdict;
import dev.signalbox.core.config.CascadeSpec;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.routing.PlannedAttempt;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Walks a cascade's stages. Each stage but the last gets the request without streaming (asking for
 * log-probabilities when a check reads them), as many times as the route's samples, all at once;
 * {@link AnswerChecks} judges the answers; an accepted answer is served, otherwise the request goes
 * on. The last stage gets the client's own request, streamed if the client asked, so only the final
 * answer streams. A stage whose deployments all fail is passed over; when every later stage fails
 * too, the last answer the checks turned down is served rather than an error, flagged {@code
 * cascade-unverified}. Every answer paid for is charged to the request, and every stage traced.
 */
public final class CascadeRunner {
  /**
   * The flag of a request served an answer its checks turned down, because every later stage
   * failed.
   */
  public static final String UNVERIFIED = "cascade-unverified";

  private final Dispatcher dispatcher;
  private final TimeSource time;

  private final ThreadFactory samples;

  /**
   * @param samples the threads a stage's samples are drawn on, all at once
   */
  public CascadeRunner(Dispatcher dispatcher, TimeSource time, ThreadFactory samples) {
    this.dispatcher = dispatcher;
    this.time = time;
    this.samples = samples;
  }

  /** One model's part of the plan. */
  public record Stage(ModelSpec model, List<PlannedAttempt> plan) {}

  /** A checked stage's answer, turned down, kept in case nothing better comes. */
  private record TurnedDown(DispatchResult.Answered answer, CascadeStepTrace step) {}

  public DispatchResult run(
      CascadeSpec spec,
      List<PlannedAttempt> plan,
      RouteSpec route,
      long seed,
      Exchange exchange,
      Optional<Dispatcher.Reservation> reserved)
      throws InterruptedException {
    long deadline = time.nanoTime() + route.timeout().toNanos();
    List<Stage> stages = stages(plan, route);
    ChatRequest checked = checkedRequest(exchange.request(), spec);
    TurnedDown turnedDown = null;
    for (int s = 0; s < stages.size(); s++) {
      Stage stage = stages.get(s);
      Optional<Dispatcher.Reservation> held = s == 0 ? reserved : Optional.empty();
      long stageSeed = seed + 1_000_003L * s;
      exchange.cascadeStageStarted(s + 1, stage.model().name());
      if (s == stages.size() - 1) {
        return finalStage(s, stage, route, stageSeed, exchange, held, deadline, turnedDown);
      }
      List<DispatchResult> results =
          samples(stage, route, stageSeed, exchange, held, checked, deadline, spec.samples());
      for (DispatchResult result : results) {
        if (result instanceof DispatchResult.Failed failed && failed.outcome().equals(CANCELLED)) {
          chargeTurnedDown(turnedDown, exchange);
          answeredOf(results).forEach(a -> exchange.charge(stage.model(), a.reply().usage()));
          return failed;
        }
      }
      List<DispatchResult.Answered> answered = answeredOf(results);
      if (answered.isEmpty()) {
        exchange.cascadeStep(
            step(
                s,
                stage,
                spec.samples(),
                answered,
                "failed",
                List.of(
                    "no answer: "
                        + ((DispatchResult.Failed) results.get(0)).error().getMessage())));
        continue;
      }
      StageVerdict verdict =
          AnswerChecks.judge(spec, answered.stream().map(CascadeRunner::stageAnswer).toList());
      DispatchResult.Answered chosen = answered.get(verdict.chosen());
      // A later stage answered: the earlier answer will not be served, so it is paid for as turned
      // down.
      chargeTurnedDown(turnedDown, exchange);
      turnedDown = null;
      for (int a = 0; a < answered.size(); a++) {
        if (a != verdict.chosen()) {
          exchange.charge(stage.model(), answered.get(a).reply().usage());
        }
      }
      CascadeStepTrace step =
          step(
              s,
              stage,
              spec.samples(),
              answered,
              verdict.accepted() ? "accepted" : "escalated",
              verdict.findings());
      if (verdict.accepted()) {
        exchange.cascadeStep(step);
        return served(chosen, exchange);
      }
      exchange.cascadeStep(step);
      turnedDown = new TurnedDown(chosen, step);
    }
    throw new IllegalStateException("a cascade plan without a final stage");
  }

  private static final String CANCELLED = "client_cancelled";

  /**
   * The last stage: the client's own request, streamed if it asked. When it fails, the answer the
   * checks last turned down is served instead, flagged, unless the client went away.
   */
  private DispatchResult finalStage(
      int s,
      Stage stage,
      RouteSpec route,
      long seed,
      Exchange exchange,
      Optional<Dispatcher.Reservation> held,
      long deadline,
      TurnedDown turnedDown)
      throws InterruptedException {
    DispatchResult result =
        dispatcher.dispatch(
            stage.plan(), route, seed, exchange, held, exchange.request(), deadline);
    boolean failed = result instanceof DispatchResult.Failed;
    Usage usage = result instanceof DispatchResult.Answered a ? a.reply().usage() : Usage.ZERO;
    List<String> notes =
        switch (result) {
          case DispatchResult.Failed f -> List.of("no answer: " + f.error().getMessage());
          case DispatchResult.Committed c -> List.of("streamed: its usage is the request's");
          case DispatchResult.Answered a -> List.of();
        };
    exchange.cascadeStep(
        new CascadeStepTrace(
            s + 1,
            stage.model().name(),
            1,
            failed ? 0 : 1,
            failed ? "failed" : "final",
            notes,
            usage,
            stage.model().pricing().cost(usage)));
    if (failed
        && turnedDown != null
        && !((DispatchResult.Failed) result).outcome().equals(CANCELLED)) {
      CascadeStepTrace was = turnedDown.step();
      exchange.cascadeStep(
          new CascadeStepTrace(
              was.stage(),
              was.model(),
              was.samples(),
              was.answered(),
              "unverified",
              was.checks(),
              was.usage(),
              was.costUsd()));
      exchange.flag(UNVERIFIED);
      return served(turnedDown.answer(), exchange);
    }
    chargeTurnedDown(turnedDown, exchange);
    return result;
  }

  /**
   * An answer turned down is paid for once it is clear it will not be served (served, its cost is
   * the request's own).
   */
  private static void chargeTurnedDown(TurnedDown turnedDown, Exchange exchange) {
    if (turnedDown != null) {
      exchange.charge(turnedDown.answer().attempt().model(), turnedDown.answer().reply().usage());
    }
  }

  private static List<DispatchResult.Answered> answeredOf(List<DispatchResult> results) {
    return results.stream()
        .filter(r -> r instanceof DispatchResult.Answered)
        .map(r -> (DispatchResult.Answered) r)
        .toList();
  }

  /**
   * The plan cut by model: one stage per candidate in plan order; fallback models join the last
   * stage.
   */
  public static List<Stage> stages(List<PlannedAttempt> plan, RouteSpec route) {
    List<Stage> stages = new ArrayList<>();
    for (PlannedAttempt attempt : plan) {
      Stage last = stages.isEmpty() ? null : stages.get(stages.size() - 1);
      boolean candidate = route.models().contains(attempt.model().name());
      if (last != null && (last.model().equals(attempt.model()) || !candidate)) {
        List<PlannedAttempt> joined = new ArrayList<>(last.plan());
        joined.add(attempt);
        stages.set(stages.size() - 1, new Stage(last.model(), joined));
      } else {
        stages.add(new Stage(attempt.model(), List.of(attempt)));
      }
    }
    return stages;
  }

  private List<DispatchResult> samples(
      Stage stage,
      RouteSpec route,
      long seed,
      Exchange exchange,
      Optional<Dispatcher.Reservation> held,
      ChatRequest request,
      long deadline,
      int count)
      throws InterruptedException {
    if (count == 1) {
      return List.of(
          dispatcher.dispatch(stage.plan(), route, seed, exchange, held, request, deadline));
    }
    ExecutorService threads = Executors.newThreadPerTaskExecutor(samples);
    try {
      List<Future<DispatchResult>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Optional<Dispatcher.Reservation> reservation = i == 0 ? held : Optional.empty();
        long sampleSeed = seed + 7_919L * i;
        futures.add(
            threads.submit(
                () ->
                    dispatcher.dispatch(
                        stage.plan(),
                        route,
                        sampleSeed,
                        exchange,
                        reservation,
                        request,
                        deadline)));
      }
      List<DispatchResult> results = new ArrayList<>();
      for (Future<DispatchResult> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * The request a checked stage gets: not streamed, one choice, with log-probabilities when a check
   * reads them, and at the route's sample temperature when it draws several samples.
   */
  static ChatRequest checkedRequest(ChatRequest request, CascadeSpec spec) {
    ObjectNode body = request.raw().deepCopy();
    body.put("stream", false);
    body.remove("stream_options");
    body.remove("n");
    if (spec.readsLogProbs()) {
      body.put("logprobs", true);
    }
    if (spec.samples() > 1 && spec.sampleTemperature().isPresent()) {
      body.put("temperature", spec.sampleTemperature().getAsDouble());
    }
    return ChatRequestParser.parse(Json.bytes(body));
  }

  static StageAnswer stageAnswer(DispatchResult.Answered answered) {
    JsonNode choice = answered.reply().body().path("choices").path(0);
    String text = choice.path("message").path("content").asText("");
    JsonNode tokens = choice.path("logprobs").path("content");
    if (!(tokens instanceof ArrayNode array) || array.isEmpty()) {
      return new StageAnswer(text, Optional.empty());
    }
    List<Double> logprobs = new ArrayList<>();
    array.forEach(token -> logprobs.add(token.path("logprob").asDouble(Double.NEGATIVE_INFINITY)));
    return new StageAnswer(text, Optional.of(logprobs));
  }

  /**
   * An answer to serve: as it came, or as a one-piece stream when the client asked for a stream.
   */
  private static DispatchResult served(DispatchResult.Answered answered, Exchange exchange) {
    if (!exchange.request().stream()) {
      return answered;
    }
    CompletedStream stream = new CompletedStream(answered.reply());
    return new DispatchResult.Committed(answered.attempt(), stream.first(), stream);
  }

  private static CascadeStepTrace step(
      int index,
      Stage stage,
      int samples,
      List<DispatchResult.Answered> answered,
      String verdict,
      List<String> checks) {
    long prompt = 0;
    long cached = 0;
    long completion = 0;
    boolean estimated = false;
    for (DispatchResult.Answered a : answered) {
      Usage u = a.reply().usage();
      prompt += u.promptTokens();
      cached += u.cachedPromptTokens();
      completion += u.completionTokens();
      estimated |= u.estimated();
    }
    Usage total = new Usage(prompt, cached, completion, estimated);
    return new CascadeStepTrace(
        index + 1,
        stage.model().name(),
        samples,
        answered.size(),
        verdict,
        checks,
        total,
        stage.model().pricing().cost(total));
  }
}
