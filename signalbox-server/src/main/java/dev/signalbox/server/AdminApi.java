package dev.signalbox.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.Pricing;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.limits.ScopeUsage;
import dev.signalbox.core.trace.DecisionExplanation;
import dev.signalbox.core.trace.TraceExplorer;
import dev.signalbox.core.trace.TraceJson;
import dev.signalbox.core.trace.TraceQuery;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.StrictJson;
import dev.signalbox.server.http.HttpCall;
import dev.signalbox.server.http.Reply;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The admin JSON API the dashboard reads, under {@code /admin/api/}: traces searched and one trace
 * explained, the overview of spend and quality over time with savings against a baseline model, the
 * live pool with its breaker transitions, the limit scopes, and the names in the running config.
 * Every call needs the admin key, as a bearer token or a dashboard session (see {@link
 * #authorize}); every list is bounded.
 */
final class AdminApi {
  static final String PATH = "/admin/api/";
  private static final int DEFAULT_BUCKETS = 48;

  private final Gateway gateway;
  private final AdminSources sources;
  private final UiSessions sessions;
  private final TimeSource time;

  AdminApi(Gateway gateway, AdminSources sources, UiSessions sessions, TimeSource time) {
    this.gateway = gateway;
    this.sources = sources;
    this.sessions = sessions;
    this.time = time;
  }

  /**
   * Lets in a dashboard session's cookie, or the admin key as a bearer token; a gateway with
   * neither an admin key nor any key serves its loopback callers, as the key admin API does.
   */
  void authorize(HttpCall call) {
    if (!sessions.valid(call.header("cookie"))) {
      gateway.authenticateKeyAdmin(call.header("authorization"), call.loopback());
    }
  }

  void serve(HttpCall call, Reply reply) {
    authorize(call);
    String rest = call.path().substring(PATH.length());
    Map<String, String> query = parameters(call.query());
    if (call.method().equals("POST") && rest.equals("replay")) {
      Endpoints.json(reply, 200, replay(call));
      return;
    }
    if (!call.method().equals("GET")) {
      throw new SignalboxException(
          ErrorKind.NOT_FOUND,
          "The admin API answers GET here (and POST replay), not " + call.method() + ".",
          null,
          "unknown_url");
    }
    ObjectNode body =
        switch (rest) {
          case "traces" -> traces(query);
          case "overview" -> overview(query);
          case "pool" -> pool();
          case "limits" -> limits(query);
          case "config" -> config();
          case "reports" -> new Reports(gateway.config().server().reportsDir()).list();
          default -> {
            if (rest.startsWith("traces/") && rest.indexOf('/', "traces/".length()) < 0) {
              yield trace(rest.substring("traces/".length()));
            }
            throw new SignalboxException(
                ErrorKind.NOT_FOUND,
                "Unknown admin API URL: "
                    + call.path()
                    + ". It serves traces, traces/{id}, overview, pool, limits, config, reports"
                    + " and POST replay.",
                null,
                "unknown_url");
          }
        };
    reply.header("cache-control", "no-store");
    Endpoints.json(reply, 200, body);
  }

  private TraceExplorer explorer() {
    return sources
        .traces()
        .orElseThrow(
            () ->
                new SignalboxException(
                    ErrorKind.NOT_FOUND,
                    "Traces are off (traces.enabled: false): there is nothing to search here.",
                    null,
                    "traces_disabled"));
  }

  private ObjectNode traces(Map<String, String> query) {
    TraceQuery search = TraceQuery.of(query);
    ArrayNode rows = explorer().search(search);
    ObjectNode list = Json.object().put("object", "list");
    list.set("data", rows);
    if (rows.size() == search.limit()) {
      list.put("next_before", rows.get(rows.size() - 1).path("id").asText());
    } else {
      list.putNull("next_before");
    }
    return list;
  }

  private ObjectNode trace(String id) {
    String json =
        explorer()
            .trace(id)
            .orElseThrow(
                () ->
                    new SignalboxException(
                        ErrorKind.NOT_FOUND, "No trace '" + id + "'.", "id", "trace_not_found"));
    ObjectNode body = Json.object();
    body.set("trace", Json.object(json));
    try {
      DecisionTrace trace = TraceJson.parse(json);
      GatewayConfig config = gateway.config();
      body.put(
          "explanation",
          DecisionExplanation.of(trace, model -> config.model(model).map(ModelSpec::pricing)));
    } catch (IOException | RuntimeException unreadable) {
      body.put("explanation", "");
    }
    body.set("feedback", explorer().feedback(id));
    return body;
  }

  private ObjectNode overview(Map<String, String> query) {
    known(query, Set.of("from", "to", "buckets", "baseline", "series_by"));
    Instant to = TraceQuery.time(query, "to").orElse(time.now());
    Instant from = TraceQuery.time(query, "from").orElse(to.minus(Duration.ofDays(1)));
    int buckets = DEFAULT_BUCKETS;
    if (query.containsKey("buckets")) {
      try {
        buckets = Integer.parseInt(query.get("buckets"));
      } catch (NumberFormatException e) {
        throw SignalboxException.invalid(
            "buckets", "'buckets' must be a whole number, got '" + query.get("buckets") + "'.");
      }
    }
    ObjectNode overview =
        explorer().overview(from, to, buckets, query.getOrDefault("series_by", "route"));
    Optional<String> baseline =
        Optional.ofNullable(query.get("baseline")).filter(b -> !b.isEmpty());
    if (baseline.isPresent()) {
      Pricing prices =
          gateway
              .config()
              .model(baseline.get())
              .map(ModelSpec::pricing)
              .orElseThrow(
                  () ->
                      SignalboxException.invalid(
                          "baseline",
                          "'baseline' names no model of the running config ('"
                              + baseline.get()
                              + "'); known: "
                              + String.join(", ", gateway.config().models().keySet())
                              + "."));
      overview.put("baseline", baseline.get());
      priceAgainst(overview.withObject("/total"), prices);
      for (String by :
          List.of("by_route", "by_model", "by_deployment", "by_tenant", "by_team", "by_key")) {
        overview.withArray(by).forEach(group -> priceAgainst((ObjectNode) group, prices));
      }
      overview.withArray("series").forEach(point -> priceAgainst((ObjectNode) point, prices));
    }
    return overview;
  }

  /** What a group's tokens would have cost on the baseline, and what routing saved against it. */
  private static void priceAgainst(ObjectNode group, Pricing baseline) {
    double cost =
        baseline.cost(
            new Usage(
                group.path("input_tokens").asLong(),
                0,
                group.path("output_tokens").asLong(),
                false));
    group.put("baseline_cost_usd", cost);
    group.put("savings_usd", cost - group.path("cost_usd").asDouble());
  }

  private ObjectNode pool() {
    ObjectNode pool = Json.object();
    pool.set("deployments", TraceJson.pool(gateway.pool()));
    ArrayNode transitions = pool.putArray("transitions");
    sources
        .breakers()
        .recent()
        .forEach(
            entry ->
                transitions
                    .addObject()
                    .put("time", entry.time().toString())
                    .put("deployment", entry.transition().deployment())
                    .put("from", entry.transition().from().label())
                    .put("to", entry.transition().to().label())
                    .put("cause", entry.transition().cause()));
    return pool;
  }

  private ObjectNode limits(Map<String, String> query) {
    known(query, Set.of("from", "to"));
    Instant to = TraceQuery.time(query, "to").orElse(time.now());
    Instant from = TraceQuery.time(query, "from").orElse(to.minus(Duration.ofDays(1)));
    Map<String, Long> refusals = sources.traces().map(t -> t.refusals(from, to)).orElse(Map.of());
    ObjectNode body = Json.object().put("from", from.toString()).put("to", to.toString());
    ArrayNode scopes = body.putArray("scopes");
    for (ScopeUsage scope : gateway.scopes()) {
      scopes.add(
          Endpoints.scopeJson(scope)
              .put("refusals", refusals.getOrDefault(scope.scope().id(), 0L)));
    }
    ObjectNode other = body.putObject("other_refusals");
    Set<String> listed = new TreeSet<>();
    gateway.scopes().forEach(s -> listed.add(s.scope().id()));
    refusals.forEach(
        (scope, count) -> {
          if (!listed.contains(scope)) {
            other.put(scope, count);
          }
        });
    return body;
  }

  /** {@code {trace_ids: [...], config: "yaml"}}: the replay's report, or a 400 naming the field. */
  private ObjectNode replay(HttpCall call) {
    Endpoints.requireJson(call);
    ObjectNode body = StrictJson.object(call.body(), "");
    JsonNode ids = body.path("trace_ids");
    if (!ids.isArray() || ids.isEmpty() || ids.size() > TraceQuery.MAX_LIMIT) {
      throw SignalboxException.invalid(
          "trace_ids",
          "'trace_ids' must be a list of 1 to " + TraceQuery.MAX_LIMIT + " trace ids.");
    }
    List<String> selected = new ArrayList<>();
    for (JsonNode id : ids) {
      if (!id.isTextual()) {
        throw SignalboxException.invalid("trace_ids", "'trace_ids' must hold strings.");
      }
      selected.add(id.asText());
    }
    JsonNode config = body.path("config");
    if (!config.isTextual() || config.asText().isBlank()) {
      throw SignalboxException.invalid("config", "'config' must be a config's YAML text.");
    }
    return sources.replay().replay(selected, config.asText());
  }

  private ObjectNode config() {
    GatewayConfig config = gateway.config();
    ObjectNode body = Json.object().put("hash", config.hash()).put("text", config.text());
    ArrayNode routes = body.putArray("routes");
    config.routes().keySet().forEach(routes::add);
    ArrayNode models = body.putArray("models");
    config
        .models()
        .values()
        .forEach(
            model ->
                models
                    .addObject()
                    .put("name", model.name())
                    .put("input_per_million", model.pricing().inputPerMillion())
                    .put("output_per_million", model.pricing().outputPerMillion()));
    ArrayNode deployments = body.putArray("deployments");
    config.deployments().keySet().forEach(deployments::add);
    return body;
  }

  private static void known(Map<String, String> query, Set<String> names) {
    for (String name : query.keySet()) {
      if (!names.contains(name)) {
        throw SignalboxException.invalid(
            name,
            "'"
                + name
                + "' is not a parameter here (known: "
                + String.join(", ", new TreeSet<>(names))
                + ").");
      }
    }
  }

  /** A query string's parameters, each its first value. */
  static Map<String, String> parameters(String query) {
    Map<String, String> first = new LinkedHashMap<>();
    new QueryStringDecoder(query, false)
        .parameters()
        .forEach((name, values) -> first.put(name, values.isEmpty() ? "" : values.get(0)));
    return first;
  }
}
