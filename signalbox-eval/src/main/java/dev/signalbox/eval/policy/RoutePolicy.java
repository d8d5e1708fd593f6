package dev.signalbox.eval.policy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.ResponseFormat;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.ThresholdSpec;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.PolicyRegistry;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.routing.Router;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.EvalPrompt;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One route of a policies file, decided by the gateway's {@link Router} on a request built from the
 * prompt's messages (and, for the {@code score} policy, its score column as the score header), with
 * a seed of the prompt's own and an idle pool. Its knob is the route's threshold, where it has one.
 */
final class RoutePolicy implements OfflinePolicy {
  private final GatewayConfig config;
  private final String route;
  private final Optional<ThresholdSpec> threshold;
  private final Map<Double, Router> routers = new ConcurrentHashMap<>();
  private final Router router;

  RoutePolicy(GatewayConfig config, String route) {
    this.config = config;
    this.route = route;
    this.threshold = config.route(route).orElseThrow().threshold();
    this.router = new Router(config, PolicyRegistry.builtIn());
  }

  @Override
  public String name() {
    return route;
  }

  @Override
  public String kind() {
    return "policy";
  }

  @Override
  public FittedPolicy fit(List<EvalPrompt> train, EvalContext context) {
    return new FittedPolicy() {
      @Override
      public String choose(EvalPrompt prompt) {
        return decide(router, prompt, context);
      }

      @Override
      public Knob knob() {
        return threshold.<Knob>map(t -> new ThresholdKnob(t, context)).orElse(Knob.NONE);
      }
    };
  }

  private String decide(Router with, EvalPrompt prompt, EvalContext context) {
    Map<String, String> headers = new HashMap<>();
    // Every column, not only this route's: a rule may hand the request to another score route.
    prompt.scores().forEach((column, value) -> headers.put(ThresholdSpec.headerFor(column), Double.toString(value)));
    ChatRequest request = new ChatRequest(route, prompt.messages(), false, false, OptionalInt.empty(), OptionalDouble.empty(),
        List.of(), MissingNode.getInstance(), ResponseFormat.TEXT, List.of(), 1, "", Map.of(), JsonNodeFactory.instance.objectNode());
    RequestSignals signals = new RequestSignals(request, headers, "eval", config.route(route).orElseThrow().defaultMaxTokens(), context.tokens());
    return switch (with.decide(signals, context.seedFor(prompt), PoolSnapshot.EMPTY)) {
      case Decision.Routed routed -> routed.plan().get(0).model().name();
      case Decision.Rejected rejected ->
          throw new DataException(context.dataset().source(), 0, prompt.id(), "route '" + route + "' refused the prompt: " + rejected.error().getMessage());
    };
  }

  private Router routerAt(double value) {
    return routers.computeIfAbsent(value, v -> {
      Map<String, RouteSpec> routes = new LinkedHashMap<>(config.routes());
      RouteSpec spec = routes.get(route);
      routes.put(route, spec.withThreshold(spec.threshold().orElseThrow().withValue(v)));
      GatewayConfig swept = new GatewayConfig(config.server(), config.auth(), config.traces(), config.deployments(), config.models(), routes, config.text(), config.hash());
      return new Router(swept, PolicyRegistry.builtIn());
    });
  }

  private final class ThresholdKnob implements Knob.Threshold {
    private final ThresholdSpec spec;
    private final EvalContext context;

    ThresholdKnob(ThresholdSpec spec, EvalContext context) {
      this.spec = spec;
      this.context = context;
    }

    @Override
    public String strong() {
      return spec.strong();
    }

    @Override
    public String weak() {
      return spec.weak();
    }

    @Override
    public double score(EvalPrompt prompt) {
      return prompt.score(spec.score()).orElseThrow(() -> new DataException(context.dataset().source(), 0, prompt.id(),
          "route '" + route + "' reads the score column '" + spec.score() + "', which this prompt lacks"));
    }

    @Override
    public String chooseAt(EvalPrompt prompt, double t) {
      return decide(routerAt(t), prompt, context);
    }
  }
}
