package dev.signalbox.core.gateway;

import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.core.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Posts each budget alert as JSON to the configured webhook ({@code limits.alert-webhook}), off the
 * request path: {@code {"type": "budget.soft_threshold", "scope", "spent_usd", "budget_usd",
 * "resets_at"}}. A webhook that fails is logged, never retried into the request.
 */
public final class BudgetWebhook implements Consumer<BudgetAlert> {
  private static final Logger LOG = Logger.getLogger(BudgetWebhook.class.getName());

  private final URI target;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public BudgetWebhook(URI target) {
    this.target = target;
  }

  @Override
  public void accept(BudgetAlert alert) {
    String body =
        Json.text(
            Json.object()
                .put("type", "budget.soft_threshold")
                .put("scope", alert.scope().id())
                .put("spent_usd", alert.spentUsd())
                .put("budget_usd", alert.budgetUsd())
                .put("resets_at", alert.resetsAt().toString()));
    client
        .sendAsync(
            HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              if (failure != null || response.statusCode() >= 300) {
                LOG.log(
                    Level.WARNING,
                    "budget alert webhook "
                        + target.getHost()
                        + " failed: "
                        + (failure != null
                            ? failure.getMessage()
                            : "HTTP " + response.statusCode()));
              }
            });
  }
}
