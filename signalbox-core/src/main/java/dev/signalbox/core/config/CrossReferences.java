package dev.signalbox.core.config;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The checks that need the whole config: every name a config uses is defined, each route's policy
 * spec agrees with the rest ({@link PolicySpec#check}), keys are distinct and name what exists,
 * files and environment variables are there.
 */
final class CrossReferences {
  private final Map<Integer, DeploymentSpec> deployments;
  private final Map<Integer, ModelSpec> models;
  private final Map<Integer, RouteSpec> routes;
  private final Set<String> deploymentNames;
  private final Set<String> modelNames;
  private final Set<String> routeNames;
  private final Map<String, RouteSpec> routesByName;
  private final List<String> problems;

  /**
   * @param deployments the bound deployments by their index in the file
   * @param names the names of every item of each list, bound or not
   */
  CrossReferences(
      Map<Integer, DeploymentSpec> deployments,
      Map<Integer, ModelSpec> models,
      Map<Integer, RouteSpec> routes,
      Names names,
      List<String> problems) {
    this.deployments = deployments;
    this.models = models;
    this.routes = routes;
    this.deploymentNames = names.deployments();
    this.modelNames = names.models();
    this.routeNames = names.routes();
    this.routesByName = new java.util.HashMap<>();
    routes.values().forEach(r -> routesByName.put(r.name(), r));
    this.problems = problems;
  }

  /** The names of every deployment, model and route the file lists, in order. */
  record Names(Set<String> deployments, Set<String> models, Set<String> routes) {}

  void check(boolean artifactsRequired, Function<String, String> environment, AuthSettings auth) {
    deployments.forEach(
        (i, deployment) -> checkDeployment("deployments[" + i + "]", deployment, environment));
    models.forEach(
        (i, model) -> {
          String path = "models[" + i + "]";
          for (int d = 0; d < model.deployments().size(); d++) {
            known(
                path + ".deployments[" + d + "]",
                "deployment",
                model.deployments().get(d),
                deploymentNames);
            embeddingsServed(path + ".deployments[" + d + "]", model, model.deployments().get(d));
          }
          if (routeNames.contains(model.name())) {
            problems.add(
                path
                    + ".name: '"
                    + model.name()
                    + "' is also a route name; a request's model must name one or the other");
          }
        });
    routes.forEach((i, route) -> checkRoute("routes[" + i + "]", route, artifactsRequired));
    checkKeys(auth);
  }

  /** An embedding model's deployments must speak an embeddings API (Anthropic has none). */
  private void embeddingsServed(String path, ModelSpec model, String deploymentName) {
    if (!model.capabilities().contains(Capability.EMBEDDINGS)) {
      return;
    }
    deployments.values().stream()
        .filter(d -> d.name().equals(deploymentName))
        .filter(d -> d.provider() == Provider.ANTHROPIC)
        .findFirst()
        .ifPresent(
            d ->
                problems.add(
                    path
                        + ": '"
                        + deploymentName
                        + "' is an anthropic deployment, which serves no embeddings"
                        + " (the model has capability 'embeddings')"));
  }

  private void checkDeployment(
      String path, DeploymentSpec deployment, Function<String, String> environment) {
    deployment
        .replayFrom()
        .filter(file -> !Files.isRegularFile(file))
        .ifPresent(file -> problems.add(path + ".replay-from: no such file: " + file));
    deployment
        .apiKeyEnv()
        .filter(env -> environment.apply(env) == null)
        .ifPresent(
            env ->
                problems.add(path + ".api-key-env: environment variable '" + env + "' is not set"));
    deployment
        .headerEnv()
        .forEach(
            (header, env) -> {
              if (environment.apply(env) == null) {
                problems.add(
                    path
                        + ".header-env."
                        + header
                        + ": environment variable '"
                        + env
                        + "' is not set");
              }
            });
  }

  private void checkRoute(String path, RouteSpec route, boolean artifactsRequired) {
    for (int i = 0; i < route.models().size(); i++) {
      known(path + ".models[" + i + "]", "model", route.models().get(i), modelNames);
    }
    for (int i = 0; i < route.fallbacks().size(); i++) {
      known(path + ".fallbacks[" + i + "]", "model", route.fallbacks().get(i), modelNames);
    }
    if (route.spec().delegatesTo().isEmpty() && route.models().isEmpty()) {
      problems.add(path + ".models: a route needs at least one model");
    }
    route
        .spec()
        .check(
            new RouteCheck() {
              @Override
              public RouteSpec route() {
                return route;
              }

              @Override
              public void problem(String key, String message) {
                problems.add(path + "." + key + ": " + message);
              }

              @Override
              public Set<String> models() {
                return modelNames;
              }

              @Override
              public Set<String> routes() {
                return routeNames;
              }

              @Override
              public boolean artifactsRequired() {
                return artifactsRequired;
              }

              @Override
              public Optional<List<String>> delegationCycle() {
                List<String> trail = new ArrayList<>(List.of(route.name()));
                return reaches(route, route.name(), new HashSet<>(), trail)
                    ? Optional.of(trail)
                    : Optional.empty();
              }
            });
  }

  private boolean reaches(RouteSpec from, String target, Set<String> seen, List<String> trail) {
    for (String name : from.spec().delegatesTo()) {
      trail.add(name);
      if (name.equals(target)) {
        return true;
      }
      RouteSpec route = routesByName.get(name);
      if (route != null && seen.add(name) && reaches(route, target, seen, trail)) {
        return true;
      }
      trail.remove(trail.size() - 1);
    }
    return false;
  }

  private void checkKeys(AuthSettings auth) {
    Set<String> digests = new HashSet<>();
    Set<String> callable = new LinkedHashSet<>(routeNames);
    callable.addAll(modelNames);
    for (int i = 0; i < auth.keys().size(); i++) {
      GatewayKey key = auth.keys().get(i);
      String path = "auth.keys[" + i + "]";
      if (!digests.add(key.sha256())) {
        problems.add(path + ".key-sha256: the same key is listed twice");
      }
      List<String> routes = List.copyOf(new java.util.TreeSet<>(key.routes()));
      for (String route : routes) {
        if (!callable.contains(route)) {
          problems.add(
              path
                  + ".routes: '"
                  + route
                  + "' is no route or model of this config (known: "
                  + String.join(", ", callable)
                  + ")");
        }
      }
    }
  }

  private void known(String path, String what, String name, Set<String> known) {
    if (!known.contains(name)) {
      problems.add(
          path + ": unknown " + what + " '" + name + "' (known: " + String.join(", ", known) + ")");
    }
  }
}
