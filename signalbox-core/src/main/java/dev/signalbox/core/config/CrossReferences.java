package dev.signalbox.core.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks that every name a config uses is defined, and that rules never delegate in a cycle. */
final class CrossReferences {
  private final Map<String, DeploymentSpec> deployments;
  private final Map<String, ModelSpec> models;
  private final Map<String, RouteSpec> routes;
  private final List<String> problems;

  CrossReferences(
      Map<String, DeploymentSpec> deployments,
      Map<String, ModelSpec> models,
      Map<String, RouteSpec> routes,
      List<String> problems) {
    this.deployments = deployments;
    this.models = models;
    this.routes = routes;
    this.problems = problems;
  }

  void check() {
    int m = 0;
    for (ModelSpec model : models.values()) {
      String path = "models[" + m++ + "]";
      for (int i = 0; i < model.deployments().size(); i++) {
        known(
            path + ".deployments[" + i + "]",
            "deployment",
            model.deployments().get(i),
            deployments.keySet());
      }
      if (routes.containsKey(model.name())) {
        problems.add(
            path
                + ".name: '"
                + model.name()
                + "' is also a route name; a request's model must name one or the other");
      }
    }
    int r = 0;
    for (RouteSpec route : routes.values()) {
      checkRoute("routes[" + r++ + "]", route);
    }
  }

  private void checkRoute(String path, RouteSpec route) {
    for (int i = 0; i < route.models().size(); i++) {
      known(path + ".models[" + i + "]", "model", route.models().get(i), models.keySet());
    }
    for (int i = 0; i < route.fallbacks().size(); i++) {
      known(path + ".fallbacks[" + i + "]", "model", route.fallbacks().get(i), models.keySet());
    }
    for (String weighted : route.weights().keySet()) {
      if (!route.models().contains(weighted)) {
        problems.add(
            path
                + ".weights."
                + weighted
                + ": not one of the route's models ("
                + String.join(", ", route.models())
                + ")");
      }
    }
    if (route.policy().equals("score") && route.threshold().isEmpty()) {
      problems.add(path + ".threshold: the score policy needs {strong, weak, value, score}");
    }
    route
        .threshold()
        .ifPresent(
            t -> {
              for (String model : List.of(t.strong(), t.weak())) {
                if (!route.models().contains(model)) {
                  problems.add(
                      path
                          + ".threshold: '"
                          + model
                          + "' is not one of the route's models ("
                          + String.join(", ", route.models())
                          + ")");
                }
              }
            });
    if (route.policy().equals("rules")) {
      if (route.rules().isEmpty()) {
        problems.add(path + ".rules: the rules policy needs at least one rule");
      }
      for (int i = 0; i < route.rules().size(); i++) {
        known(
            path + ".rules[" + i + "].route",
            "route",
            route.rules().get(i).route(),
            routes.keySet());
      }
      if (route.defaultRoute().isEmpty() && route.models().isEmpty()) {
        problems.add(
            path
                + ".default: missing (where requests go that no rule matches), or give the route"
                + " models");
      } else if (!route.defaultRoute().isEmpty()) {
        known(path + ".default", "route", route.defaultRoute(), routes.keySet());
      }
      cycleFrom(path, route);
    } else {
      if (route.models().isEmpty()) {
        problems.add(path + ".models: a route needs at least one model");
      }
      if (!route.rules().isEmpty()) {
        problems.add(
            path
                + ".rules: only the rules policy reads rules (this route's policy is "
                + route.policy()
                + ")");
      }
    }
  }

  private void cycleFrom(String path, RouteSpec start) {
    List<String> trail = new ArrayList<>(List.of(start.name()));
    if (reaches(start, start.name(), new HashSet<>(), trail)) {
      problems.add(
          path + ".rules: delegation loops back to itself (" + String.join(" -> ", trail) + ")");
    }
  }

  private boolean reaches(RouteSpec from, String target, Set<String> seen, List<String> trail) {
    List<String> next = new ArrayList<>();
    from.rules().forEach(rule -> next.add(rule.route()));
    if (!from.defaultRoute().isEmpty()) {
      next.add(from.defaultRoute());
    }
    for (String name : next) {
      trail.add(name);
      if (name.equals(target)) {
        return true;
      }
      RouteSpec route = routes.get(name);
      if (route != null && seen.add(name) && reaches(route, target, seen, trail)) {
        return true;
      }
      trail.remove(trail.size() - 1);
    }
    return false;
  }

  private void known(String path, String what, String name, Set<String> known) {
    if (!known.contains(name)) {
      problems.add(
          path + ": unknown " + what + " '" + name + "' (known: " + String.join(", ", known) + ")");
    }
  }
}
