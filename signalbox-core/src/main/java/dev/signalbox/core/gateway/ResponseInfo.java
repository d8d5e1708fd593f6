package dev.signalbox.core.gateway;

import dev.signalbox.core.text.Decimals;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What the x-signalbox-* response headers tell the client, and the rate-limit headers of the scopes
 * it counts against.
 */
public record ResponseInfo(
    String requestId,
    String route,
    String model,
    String deployment,
    int attempts,
    OptionalDouble costUsd,
    Map<String, String> limits) {
  public ResponseInfo {
    limits = Map.copyOf(limits);
  }

  public ResponseInfo(
      String requestId,
      String route,
      String model,
      String deployment,
      int attempts,
      OptionalDouble costUsd) {
    this(requestId, route, model, deployment, attempts, costUsd, Map.of());
  }

  public Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-signalbox-request-id", requestId);
    if (!route.isEmpty()) {
      headers.put("x-signalbox-route", route);
    }
    if (!model.isEmpty()) {
      headers.put("x-signalbox-model", model);
      headers.put("x-signalbox-deployment", deployment);
    }
    headers.put("x-signalbox-attempts", Integer.toString(attempts));
    costUsd.ifPresent(cost -> headers.put("x-signalbox-cost-usd", Decimals.fixed(cost, 8)));
    headers.putAll(limits);
    return headers;
  }
}
