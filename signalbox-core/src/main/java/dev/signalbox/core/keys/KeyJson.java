package dev.signalbox.core.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.config.BudgetPeriod;
import dev.signalbox.core.config.BudgetSpec;
import dev.signalbox.core.config.BudgetWindow;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.core.wire.Json;
import dev.signalbox.core.wire.Truncated;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Virtual keys and their limits as JSON: as the admin API shows them (never a digest, never the
 * secret but once) and as the store keeps them (with the digests); admin input read with a 400
 * naming the field for every bad value.
 */
public final class KeyJson {
  private KeyJson() {}

  /** The key as the admin API shows it: no digests. */
  public static ObjectNode shown(VirtualKey key) {
    ObjectNode json = Json.object().put("id", key.id()).put("object", "key");
    json.put("name", key.name()).put("prefix", key.prefix()).put("tenant", key.tenant());
    key.team().ifPresentOrElse(team -> json.put("team", team), () -> json.putNull("team"));
    ArrayNode routes = json.putArray("routes");
    new TreeSet<>(key.routes()).forEach(routes::add);
    json.set("limits", limits(key.limits()));
    json.put("created_at", key.created().toString());
    instant(json, "expires_at", key.expires());
    instant(json, "revoked_at", key.revoked());
    instant(json, "previous_valid_until", key.previousUntil());
    return json;
  }

  /** The key as the store keeps it: with its digests. */
  static ObjectNode stored(VirtualKey key) {
    ObjectNode json = shown(key).put("sha256", key.sha256());
    key.previousSha256().ifPresent(digest -> json.put("previous_sha256", digest));
    return json;
  }

  static VirtualKey read(JsonNode json) {
    java.util.Set<String> names = new TreeSet<>();
    json.path("routes").forEach(route -> names.add(route.asText()));
    return new VirtualKey(
        json.path("id").asText(),
        json.path("name").asText(),
        json.path("prefix").asText(),
        json.path("sha256").asText(),
        json.path("tenant").asText(),
        text(json, "team"),
        names,
        limits(json.path("limits"), "limits"),
        Instant.parse(json.path("created_at").asText()),
        text(json, "expires_at").map(Instant::parse),
        text(json, "revoked_at").map(Instant::parse),
        text(json, "previous_sha256"),
        text(json, "previous_valid_until").map(Instant::parse));
  }

  public static ObjectNode limits(LimitSpec spec) {
    ObjectNode json = Json.object();
    spec.rpm().ifPresent(rpm -> json.put("rpm", rpm));
    spec.tpm().ifPresent(tpm -> json.put("tpm", tpm));
    spec.concurrent().ifPresent(n -> json.put("concurrent", n));
    spec.budget()
        .ifPresent(
            budget ->
                json.putObject("budget")
                    .put("usd", budget.usd())
                    .put("period", budget.period().name().toLowerCase(Locale.ROOT))
                    .put("window", budget.window().name().toLowerCase(Locale.ROOT))
                    .put("soft", budget.soft()));
    spec.failOpen().ifPresent(open -> json.put("fail_open", open));
    return json;
  }

  /** Limits from admin input; absent or null is no limits. */
  public static LimitSpec limits(JsonNode json, String path) {
    if (json == null || json.isMissingNode() || json.isNull()) {
      return LimitSpec.NONE;
    }
    if (!json.isObject()) {
      throw invalid(path, "'" + path + "' must be an object of rpm, tpm, concurrent, budget.");
    }
    json.fieldNames()
        .forEachRemaining(
            field -> {
              if (!java.util.Set.of("rpm", "tpm", "concurrent", "budget", "fail_open")
                  .contains(field)) {
                throw invalid(
                    path + "." + field,
                    "'"
                        + path
                        + "."
                        + Truncated.of(field, 40)
                        + "' is not a limit (rpm, tpm, concurrent, budget, fail_open).");
              }
            });
    OptionalInt rpm = positiveInt(json, "rpm", path);
    OptionalLong tpm =
        positiveInt(json, "tpm", path).isPresent()
            ? OptionalLong.of(json.get("tpm").asLong())
            : OptionalLong.empty();
    OptionalInt concurrent = positiveInt(json, "concurrent", path);
    Optional<BudgetSpec> budget = Optional.empty();
    JsonNode b = json.get("budget");
    if (b != null && !b.isNull()) {
      String at = path + ".budget";
      if (!b.isObject() || !b.path("usd").isNumber() || b.path("usd").asDouble() < 0) {
        throw invalid(at + ".usd", "'" + at + ".usd' must be a number of dollars, 0 or more.");
      }
      BudgetPeriod period =
          oneOf(b, "period", at, BudgetPeriod.MONTHLY, "daily, weekly or monthly");
      BudgetWindow window = oneOf(b, "window", at, BudgetWindow.CALENDAR, "calendar or rolling");
      double soft = 0.8;
      if (b.hasNonNull("soft")) {
        soft = b.path("soft").asDouble(-1);
        if (!b.path("soft").isNumber() || soft < 0 || soft > 1) {
          throw invalid(at + ".soft", "'" + at + ".soft' must be a share between 0 and 1.");
        }
      }
      budget = Optional.of(new BudgetSpec(b.path("usd").asDouble(), period, window, soft));
    }
    Optional<Boolean> failOpen = Optional.empty();
    JsonNode open = json.get("fail_open");
    if (open != null && !open.isNull()) {
      if (!open.isBoolean()) {
        throw invalid(path + ".fail_open", "'" + path + ".fail_open' must be true or false.");
      }
      failOpen = Optional.of(open.asBoolean());
    }
    return new LimitSpec(rpm, tpm, concurrent, budget, failOpen);
  }

  private static OptionalInt positiveInt(JsonNode json, String field, String path) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return OptionalInt.empty();
    }
    if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 1) {
      throw invalid(path + "." + field, "'" + path + "." + field + "' must be a positive integer.");
    }
    return OptionalInt.of((int) Math.min(Integer.MAX_VALUE, value.asLong()));
  }

  /** An instant from admin input, ISO-8601. */
  public static Optional<Instant> instant(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(value.asText()));
    } catch (DateTimeParseException e) {
      throw invalid(
          field, "'" + field + "' must be an ISO-8601 instant such as 2027-01-01T00:00:00Z.");
    }
  }

  private static void instant(ObjectNode json, String field, Optional<Instant> value) {
    value.ifPresentOrElse(at -> json.put(field, at.toString()), () -> json.putNull(field));
  }

  private static Optional<String> text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }

  static SignalboxException invalid(String param, String message) {
    return SignalboxException.invalid(param, message);
  }

  /** An optional field naming one of an enum's constants, in lower case; a 400 otherwise. */
  private static <E extends Enum<E>> E oneOf(
      JsonNode parent, String field, String at, E fallback, String known) {
    if (!parent.hasNonNull(field)) {
      return fallback;
    }
    String name = parent.path(field).asText("").toUpperCase(Locale.ROOT);
    for (E constant : fallback.getDeclaringClass().getEnumConstants()) {
      if (constant.name().equals(name)) {
        return constant;
      }
    }
    throw invalid(at + "." + field, "'" + at + "." + field + "' must be " + known + ".");
  }
}
