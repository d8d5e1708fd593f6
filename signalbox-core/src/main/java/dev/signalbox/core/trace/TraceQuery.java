package dev.signalbox.core.trace;

import dev.signalbox.api.SignalboxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * A search of the traces, newest first: each filter optional, the page always bounded.
 *
 * @param before a trace id: only traces older than it (the next page)
 * @param limit at most this many, 1 to {@value #MAX_LIMIT}
 */
public record TraceQuery(
    Optional<Instant> from,
    Optional<Instant> to,
    Optional<String> route,
    Optional<String> model,
    Optional<String> deployment,
    Optional<String> outcome,
    Optional<String> tenant,
    Optional<String> key,
    Optional<String> team,
    OptionalDouble minCost,
    OptionalDouble maxCost,
    OptionalDouble minLatencyMs,
    OptionalDouble maxLatencyMs,
    Optional<String> before,
    int limit) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 500;
  static final Set<String> PARAMETERS =
      Set.of(
          "from",
          "to",
          "route",
          "model",
          "deployment",
          "outcome",
          "tenant",
          "key",
          "team",
          "min_cost",
          "max_cost",
          "min_latency_ms",
          "max_latency_ms",
          "before",
          "limit");

  public static final TraceQuery LATEST =
      new TraceQuery(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          OptionalDouble.empty(),
          OptionalDouble.empty(),
          OptionalDouble.empty(),
          OptionalDouble.empty(),
          Optional.empty(),
          DEFAULT_LIMIT);

  public TraceQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw invalid("limit", "must be from 1 to " + MAX_LIMIT + ", got " + limit);
    }
  }

  /**
   * Reads a query string's parameters; an unknown parameter or a bad value is a 400 naming it.
   * Times are ISO-8601 instants ({@code 2026-12-03T10:00:00Z}) or epoch milliseconds.
   */
  public static TraceQuery of(Map<String, String> parameters) {
    for (String name : parameters.keySet()) {
      if (!PARAMETERS.contains(name)) {
        throw invalid(
            name, "is not a filter (known: " + String.join(", ", new TreeSet<>(PARAMETERS)) + ")");
      }
    }
    return new TraceQuery(
        time(parameters, "from"),
        time(parameters, "to"),
        text(parameters, "route"),
        text(parameters, "model"),
        text(parameters, "deployment"),
        text(parameters, "outcome"),
        text(parameters, "tenant"),
        text(parameters, "key"),
        text(parameters, "team"),
        number(parameters, "min_cost"),
        number(parameters, "max_cost"),
        number(parameters, "min_latency_ms"),
        number(parameters, "max_latency_ms"),
        text(parameters, "before"),
        parameters.containsKey("limit") ? limit(parameters.get("limit")) : DEFAULT_LIMIT);
  }

  /** A time parameter: an ISO-8601 instant or epoch milliseconds; a bad one is a 400 naming it. */
  public static Optional<Instant> time(Map<String, String> parameters, String name) {
    String value = parameters.get(name);
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          value.chars().allMatch(Character::isDigit)
              ? Instant.ofEpochMilli(Long.parseLong(value))
              : Instant.parse(value));
    } catch (DateTimeParseException | NumberFormatException e) {
      throw invalid(name, "must be an ISO-8601 instant or epoch milliseconds, got '" + value + "'");
    }
  }

  private static Optional<String> text(Map<String, String> parameters, String name) {
    String value = parameters.get(name);
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    if (value.length() > 200) {
      throw invalid(name, "is longer than 200 characters");
    }
    return Optional.of(value);
  }

  private static OptionalDouble number(Map<String, String> parameters, String name) {
    String value = parameters.get(name);
    if (value == null || value.isEmpty()) {
      return OptionalDouble.empty();
    }
    try {
      double number = Double.parseDouble(value);
      if (!Double.isFinite(number) || number < 0) {
        throw new NumberFormatException();
      }
      return OptionalDouble.of(number);
    } catch (NumberFormatException e) {
      throw invalid(name, "must be a number of at least 0, got '" + value + "'");
    }
  }

  private static int limit(String value) {
    try {
      long limit = Long.parseLong(value);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return (int) limit;
      }
    } catch (NumberFormatException e) {
      // Said below.
    }
    throw invalid(
        "limit", "must be a whole number from 1 to " + MAX_LIMIT + ", got '" + value + "'");
  }

  static SignalboxException invalid(String parameter, String problem) {
    return SignalboxException.invalid(parameter, "'" + parameter + "' " + problem + ".");
  }
}
