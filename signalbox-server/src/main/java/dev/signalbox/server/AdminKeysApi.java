package dev.signalbox.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.gateway.Gateway;
import dev.signalbox.core.keys.KeyJson;
import dev.signalbox.core.keys.VirtualKey;
import dev.signalbox.core.keys.VirtualKeys;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.StrictJson;
import dev.signalbox.core.wire.Truncated;
import dev.signalbox.server.http.HttpCall;
import dev.signalbox.server.http.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Virtual keys through the admin API: {@code POST /admin/keys} makes one and shows its secret once;
 * {@code GET /admin/keys} lists them (never a secret or a digest); {@code GET}, {@code PATCH} and
 * {@code DELETE /admin/keys/{id}} read, change and revoke one; {@code POST /admin/keys/{id}/rotate}
 * gives it a new secret, the old one valid for {@code grace_seconds}.
 */
final class AdminKeysApi {
  static final String PATH = "/admin/keys";
  private static final Set<String> FIELDS =
      Set.of("name", "tenant", "team", "routes", "limits", "expires_at");

  private final Gateway gateway;

  AdminKeysApi(Gateway gateway) {
    this.gateway = gateway;
  }

  /** Serves a call under {@code /admin/keys}; false when none of its endpoints matches. */
  boolean serve(HttpCall call, Reply reply) {
    String rest = call.path().substring(PATH.length());
    String[] parts = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
    if (!rest.isEmpty() && !rest.startsWith("/") || parts.length > 2) {
      return false;
    }
    gateway.authenticateKeyAdmin(call.header("authorization"), call.loopback());
    VirtualKeys keys = gateway.virtualKeys();
    String route =
        call.method()
            + " "
            + (parts.length == 0 ? "" : parts.length == 1 ? "{id}" : "{id}/" + parts[1]);
    switch (route) {
      case "POST " -> {
        Endpoints.requireJson(call);
        VirtualKeys.Issued issued = keys.create(changes(call, true));
        Endpoints.json(reply, 201, KeyJson.shown(issued.key()).put("key", issued.secret()));
      }
      case "GET " -> {
        ObjectNode list = Json.object().put("object", "list");
        ArrayNode data = list.putArray("data");
        keys.list().forEach(key -> data.add(KeyJson.shown(key)));
        Endpoints.json(reply, 200, list);
      }
      case "GET {id}" -> Endpoints.json(reply, 200, KeyJson.shown(found(keys, parts[0])));
      case "PATCH {id}" -> {
        Endpoints.requireJson(call);
        Endpoints.json(reply, 200, KeyJson.shown(keys.update(parts[0], changes(call, false))));
      }
      case "DELETE {id}" -> Endpoints.json(reply, 200, KeyJson.shown(keys.revoke(parts[0])));
      case "POST {id}/rotate" -> {
        Duration grace = Duration.ZERO;
        if (call.body().length > 0) {
          ObjectNode body = StrictJson.object(call.body(), "");
          JsonNode seconds = body.get("grace_seconds");
          if (seconds != null
              && (!seconds.isIntegralNumber()
                  || seconds.asLong() < 0
                  || seconds.asLong() > 2_592_000)) {
            throw SignalboxException.invalid(
                "grace_seconds",
                "'grace_seconds' must be a whole number of seconds, 0 to 30 days.");
          }
          grace = Duration.ofSeconds(seconds == null ? 0 : seconds.asLong());
        }
        VirtualKeys.Issued issued = keys.rotate(parts[0], grace);
        Endpoints.json(reply, 200, KeyJson.shown(issued.key()).put("key", issued.secret()));
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private static VirtualKey found(VirtualKeys keys, String id) {
    return keys.find(id)
        .orElseThrow(
            () ->
                new SignalboxException(
                    dev.signalbox.api.ErrorKind.NOT_FOUND,
                    "No key with id '" + Truncated.of(id, 60) + "'.",
                    null,
                    "key_not_found"));
  }

  /** The body's changes; every field checked, a 400 naming the first bad one. */
  private VirtualKeys.Changes changes(HttpCall call, boolean creating) {
    ObjectNode body = StrictJson.object(call.body(), "");
    body.fieldNames()
        .forEachRemaining(
            field -> {
              if (!FIELDS.contains(field)) {
                throw SignalboxException.invalid(
                    field,
                    "'"
                        + Truncated.of(field, 40)
                        + "' is not a key field (name, tenant, team, routes, limits, expires_at).");
              }
            });
    Optional<String> name = text(body, "name");
    if (creating && name.isEmpty()) {
      throw SignalboxException.invalid("name", "'name' is required: a non-empty string.");
    }
    Optional<Optional<String>> team =
        body.has("team") ? Optional.of(text(body, "team")) : Optional.empty();
    Optional<Set<String>> routes = Optional.empty();
    if (body.has("routes")) {
      JsonNode list = body.get("routes");
      if (!list.isArray()) {
        throw SignalboxException.invalid(
            "routes", "'routes' must be an array of route or model names.");
      }
      GatewayConfig config = gateway.config();
      Set<String> names = new LinkedHashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String route = list.get(i).asText("");
        if (config.route(route).isEmpty() && config.model(route).isEmpty()) {
          throw SignalboxException.invalid(
              "routes[" + i + "]",
              "'routes[" + i + "]': no route or model '" + Truncated.of(route, 60) + "'.");
        }
        names.add(route);
      }
      routes = Optional.of(names);
    }
    Optional<Optional<Instant>> expires =
        body.has("expires_at")
            ? Optional.of(KeyJson.instant(body, "expires_at"))
            : Optional.empty();
    if (expires.flatMap(e -> e).filter(at -> !at.isAfter(gateway.time().now())).isPresent()) {
      throw SignalboxException.invalid("expires_at", "'expires_at' must be in the future.");
    }
    return new VirtualKeys.Changes(
        name,
        text(body, "tenant"),
        team,
        routes,
        body.has("limits")
            ? Optional.of(KeyJson.limits(body.get("limits"), "limits"))
            : Optional.empty(),
        expires);
  }

  private static Optional<String> text(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > 200) {
      throw SignalboxException.invalid(
          field, "'" + field + "' must be a non-empty string of at most 200 characters.");
    }
    return Optional.of(value.asText());
  }
}
