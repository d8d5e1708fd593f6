package dev.signalbox.core.routing;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.core.wire.ChatRequestParser;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Requests for routing tests, parsed from JSON as the server would. */
public final class Requests {
  private Requests() {}

  public static ChatRequest of(String json) {
    return ChatRequestParser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  public static ChatRequest user(String model, String text) {
    return of(
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + text
            + "\"}]}");
  }

  public static RequestSignals signals(ChatRequest request) {
    return signals(request, Map.of());
  }

  public static RequestSignals signals(ChatRequest request, Map<String, String> headers) {
    return new RequestSignals(
        request, headers, "t", 1_000, dev.signalbox.core.TestConfigs.signals());
  }
}
