package dev.signalbox.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.NativeBody;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.gateway.Caller;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.gateway.Handled;
import dev.signalbox.core.gateway.Ingress;
import dev.signalbox.core.responses.ResponseContext;
import dev.signalbox.core.responses.ResponseStore;
import dev.signalbox.core.responses.ResponsesRequest;
import dev.signalbox.core.responses.ResponsesStream;
import dev.signalbox.core.responses.StoredResponse;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.ErrorBodies;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.StrictJson;
import dev.signalbox.core.wire.Truncated;
import dev.signalbox.server.http.HttpCall;
import dev.signalbox.server.http.Reply;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI's Responses API on the gateway's router: {@code POST /v1/responses} translated to a chat
 * request and answered as a response (or its stream of named events); the responses a client asked
 * to store kept in the {@link ResponseStore}, readable, deletable and listable by the tenant that
 * created them, and a stored response still streaming cancellable.
 */
final class ResponsesApi {
  static final String PATH = "/v1/responses";

  private final Gateway gateway;
  private final ResponseStore store;

  /** Stored responses still streaming, by id: what GET shows and cancel stops. */
  private final ConcurrentMap<String, Live> live = new ConcurrentHashMap<>();

  private record Live(String owner, ResponsesStream stream) {}

  ResponsesApi(Gateway gateway, ResponseStore store) {
    this.gateway = gateway;
    this.store = store;
  }

  /** Serves a call under {@code /v1/responses}; false when none of its endpoints matches. */
  boolean serve(HttpCall call, Reply reply, Caller caller) throws InterruptedException {
    String rest = call.path().substring(PATH.length());
    if (rest.isEmpty() && call.method().equals("POST")) {
      create(call, reply, caller);
      return true;
    }
    String[] parts = rest.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || !parts[0].isEmpty() || parts[1].isEmpty()) {
      return false;
    }
    String id = parts[1];
    String action = parts.length == 3 ? parts[2] : "";
    switch (call.method() + " " + action) {
      case "GET " -> Endpoints.json(reply, 200, current(id, caller));
      case "DELETE " -> delete(id, caller, reply);
      case "POST cancel" -> cancel(id, caller, reply);
      case "GET input_items" -> inputItems(id, caller, call.query(), reply);
      default -> {
        return false;
      }
    }
    return true;
  }

  private void create(HttpCall call, Reply reply, Caller caller) throws InterruptedException {
    Endpoints.requireJson(call);
    ObjectNode body = StrictJson.object(call.body(), "");
    List<JsonNode> history = List.of();
    JsonNode previous = body.get("previous_response_id");
    if (previous != null && !previous.isNull()) {
      if (!previous.isTextual()) {
        throw invalid("'previous_response_id' must be a string.", "previous_response_id");
      }
      history =
          stored(previous.asText(), caller)
              .orElseThrow(
                  () ->
                      invalid(
                          "Previous response with id '"
                              + Truncated.of(previous.asText(), 80)
                              + "' not found.",
                          "previous_response_id"))
              .conversation();
    }
    ResponsesRequest translated = ResponsesRequest.of(body, history);
    ChatRequest request =
        ChatRequestParser.parse(translated.chat())
            .withNativeBody(
                new NativeBody(
                    NativeBody.Protocol.OPENAI_RESPONSES, translated.passedThrough(body)));
    Handled handled = gateway.handle(request, caller, Ingress.OPENAI_RESPONSES);
    handled.info().headers().forEach(reply::header);
    Instant now = gateway.time().now();
    ResponseContext context =
        new ResponseContext(
            ResponseContext.responseId(handled.info().requestId()),
            now.getEpochSecond(),
            body,
            translated.customTools());
    boolean keep = body.path("store").asBoolean(true);
    switch (handled) {
      case Handled.Rejected rejected ->
          Endpoints.refuse(reply, rejected.error(), ErrorBodies.of(rejected.error()));
      case Handled.Completed completed -> {
        ObjectNode response =
            completed
                .nativeBody()
                .map(context::adopt)
                .orElseGet(() -> context.completed(completed.body()));
        if (keep) {
          store.put(
              new StoredResponse(
                  context.id(), now, caller.tenant(), response, translated.conversation()));
        }
        Endpoints.json(reply, 200, response);
      }
      case Handled.Streaming streaming -> {
        try {
          Endpoints.stream(
              reply,
              streaming,
              client -> {
                ResponsesStream stream =
                    new ResponsesStream(
                        client,
                        context,
                        response -> {
                          if (keep) {
                            store.put(
                                new StoredResponse(
                                    context.id(),
                                    now,
                                    caller.tenant(),
                                    response,
                                    translated.conversation()));
                          }
                        });
                if (keep) {
                  live.put(context.id(), new Live(caller.tenant(), stream));
                }
                return stream;
              });
        } finally {
          live.remove(context.id());
        }
      }
    }
  }

  /** The response now: a live one's snapshot, else the stored one. */
  private ObjectNode current(String id, Caller caller) {
    Live running = live.get(id);
    if (running != null && running.owner().equals(caller.tenant())) {
      return running.stream().snapshot();
    }
    return stored(id, caller).orElseThrow(() -> notFound(id)).response();
  }

  private void delete(String id, Caller caller, Reply reply) {
    if (stored(id, caller).isEmpty() || !store.delete(id)) {
      throw notFound(id);
    }
    Endpoints.json(
        reply, 200, Json.object().put("id", id).put("object", "response").put("deleted", true));
  }

  private void cancel(String id, Caller caller, Reply reply) {
    Live running = live.get(id);
    if (running != null && running.owner().equals(caller.tenant())) {
      running.stream().cancel();
      Endpoints.json(reply, 200, running.stream().snapshot().put("status", "cancelled"));
      return;
    }
    ObjectNode response = stored(id, caller).orElseThrow(() -> notFound(id)).response();
    throw invalid(
        "Cannot cancel a response whose status is '"
            + response.path("status").asText()
            + "': only a response still streaming can be cancelled.",
        null);
  }

  private void inputItems(String id, Caller caller, String query, Reply reply) {
    StoredResponse response = stored(id, caller).orElseThrow(() -> notFound(id));
    Map<String, List<String>> parameters = new QueryStringDecoder(query, false).parameters();
    int limit = intParameter(parameters, "limit", 20);
    if (limit < 1 || limit > 100) {
      throw invalid("'limit' must be between 1 and 100.", "limit");
    }
    String order = parameters.getOrDefault("order", List.of("desc")).get(0);
    if (!order.equals("asc") && !order.equals("desc")) {
      throw invalid("'order' must be 'asc' or 'desc'.", "order");
    }
    List<JsonNode> items = new ArrayList<>();
    for (int i = 0; i < response.input().size(); i++) {
      ObjectNode item = response.input().get(i).deepCopy();
      if (!item.hasNonNull("id")) {
        item.put("id", "item_" + id.substring("resp_".length()) + "_" + i);
      }
      items.add(item);
    }
    if (order.equals("desc")) {
      Collections.reverse(items);
    }
    Optional<String> after =
        Optional.ofNullable(parameters.get("after")).map(values -> values.get(0));
    int from = 0;
    if (after.isPresent()) {
      while (from < items.size() && !items.get(from).path("id").asText().equals(after.get())) {
        from++;
      }
      from++;
    }
    List<JsonNode> page =
        items.subList(Math.min(from, items.size()), Math.min(from + limit, items.size()));
    ObjectNode list = Json.object().put("object", "list");
    ArrayNode data = list.putArray("data");
    page.forEach(data::add);
    if (page.isEmpty()) {
      list.putNull("first_id");
      list.putNull("last_id");
    } else {
      list.put("first_id", page.get(0).path("id").asText());
      list.put("last_id", page.get(page.size() - 1).path("id").asText());
    }
    list.put("has_more", from + limit < items.size());
    Endpoints.json(reply, 200, list);
  }

  private static int intParameter(Map<String, List<String>> parameters, String name, int fallback) {
    List<String> values = parameters.get(name);
    if (values == null || values.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(values.get(0));
    } catch (NumberFormatException e) {
      throw invalid("'" + name + "' must be an integer.", name);
    }
  }

  /** A stored response of this caller's tenant: another tenant's is as good as absent. */
  private Optional<StoredResponse> stored(String id, Caller caller) {
    return store.find(id).filter(response -> response.owner().equals(caller.tenant()));
  }

  private static SignalboxException notFound(String id) {
    return new SignalboxException(
        ErrorKind.NOT_FOUND,
        "No response found with id '" + Truncated.of(id, 80) + "'.",
        null,
        "not_found");
  }

  private static SignalboxException invalid(String message, @Nullable String param) {
    return new SignalboxException(ErrorKind.INVALID_REQUEST, message, param, "invalid_value");
  }
}
