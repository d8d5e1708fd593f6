package dev.signalbox.core.gateway;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/** What the x-signalbox-* response headers tell the client. */
public record ResponseInfo(
    String requestId,
    String route,
    String model,
    String deployment,
    int attempts,
    OptionalDouble costUsd) {

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
    costUsd.ifPresent(
        cost -> headers.put("x-signalbox-cost-usd", String.format(Locale.ROOT, "%.8f", cost)));
    return headers;
  }
}
