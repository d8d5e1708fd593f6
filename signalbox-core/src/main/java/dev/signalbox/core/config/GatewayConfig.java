package dev.signalbox.core.config;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A whole validated config. Maps keep the file's order. {@code hash} is the SHA-256 of the file's
 * text, recorded in every trace; the text itself is stored once per hash.
 */
public record GatewayConfig(
    ServerSettings server,
    AuthSettings auth,
    TraceSettings traces,
    TelemetrySettings telemetry,
    ResponsesSettings responses,
    LimitSettings limits,
    DatabaseSettings database,
    Map<String, DeploymentSpec> deployments,
    Map<String, ModelSpec> models,
    Map<String, RouteSpec> routes,
    String text,
    String hash) {

  public GatewayConfig {
    Objects.requireNonNull(server);
    Objects.requireNonNull(auth);
    Objects.requireNonNull(traces);
    Objects.requireNonNull(telemetry);
    Objects.requireNonNull(responses);
    Objects.requireNonNull(limits);
    Objects.requireNonNull(database);
    deployments = Collections.unmodifiableMap(new LinkedHashMap<>(deployments));
    models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
    Objects.requireNonNull(text);
    Objects.requireNonNull(hash);
  }

  public Optional<RouteSpec> route(String name) {
    return Optional.ofNullable(routes.get(name));
  }

  public Optional<ModelSpec> model(String name) {
    return Optional.ofNullable(models.get(name));
  }

  /**
   * Every model a request to this route may be served by: its models and fallbacks, and those of
   * the routes its rules delegate to, in order of first appearance.
   */
  public List<ModelSpec> reachableModels(String route) {
    Set<String> names = new LinkedHashSet<>();
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(route));
    while (!todo.isEmpty()) {
      RouteSpec spec = routes.get(todo.poll());
      if (spec != null && seen.add(spec.name())) {
        names.addAll(spec.models());
        names.addAll(spec.fallbacks());
        todo.addAll(spec.spec().delegatesTo());
      }
    }
    return names.stream().map(models::get).filter(Objects::nonNull).toList();
  }

  public DeploymentSpec deployment(String name) {
    DeploymentSpec spec = deployments.get(name);
    if (spec == null) {
      throw new IllegalArgumentException("unknown deployment '" + name + "'");
    }
    return spec;
  }
}
