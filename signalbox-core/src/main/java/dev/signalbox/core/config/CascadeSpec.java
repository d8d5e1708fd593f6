package dev.signalbox.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A cascade route's checks: each stage but the last answers without streaming, and its answer is
 * served only when every check passes; otherwise the request goes on to the next stage.
 *
 * @param samples the answers drawn from each checked stage (an agreement check needs two or more)
 * @param sampleTemperature the temperature the samples are drawn at; the client's when empty
 * @param entries the checks as written, in the order they are reported; all must pass
 */
public record CascadeSpec(
    @Default("1") @Range(min = 1, max = 16) int samples,
    @Range(min = 0, max = 2) OptionalDouble sampleTemperature,
    @JsonProperty("checks")
        @WhenMissing("known checks: agreement, regex, arithmetic, json-schema, logprobs")
        List<CheckEntry> entries) {
  public static final CascadeSpec NONE = new CascadeSpec(1, OptionalDouble.empty(), List.of());

  public CascadeSpec {
    Objects.requireNonNull(sampleTemperature);
    entries = List.copyOf(entries);
  }

  /** A cascade of these checks. */
  public static CascadeSpec of(int samples, OptionalDouble sampleTemperature, List<Check> checks) {
    return new CascadeSpec(
        samples, sampleTemperature, checks.stream().map(CheckEntry::of).toList());
  }

  public List<Check> checks() {
    return entries.stream().map(CheckEntry::check).toList();
  }

  /** One check as a config writes it: a mapping of its kind to its settings. */
  @OneKey
  public record CheckEntry(
      Optional<Agreement> agreement,
      Optional<Pattern> regex,
      Optional<Arithmetic> arithmetic,
      Optional<JsonSchema> jsonSchema,
      Optional<LogProbs> logprobs) {
    static CheckEntry of(Check check) {
      return new CheckEntry(
          check instanceof Agreement a ? Optional.of(a) : Optional.empty(),
          check instanceof Matches m ? Optional.of(m.pattern()) : Optional.empty(),
          check instanceof Arithmetic a ? Optional.of(a) : Optional.empty(),
          check instanceof JsonSchema s ? Optional.of(s) : Optional.empty(),
          check instanceof LogProbs l ? Optional.of(l) : Optional.empty());
    }

    public Check check() {
      return agreement
          .<Check>map(a -> a)
          .or(() -> regex.map(Matches::new))
          .or(() -> arithmetic)
          .or(() -> jsonSchema)
          .or(() -> logprobs)
          .orElseThrow();
    }
  }

  /** What one check of a stage's answer asks. */
  public sealed interface Check {
    /** The name the config and the trace use. */
    String kind();
  }

  /**
   * The samples agree: the largest group of equal answers holds at least {@code minShare} of them
   * (ACAR's self-consistency spread). Answers are compared by {@code answer}'s first group where it
   * matches (its last match), else by their whole text, trimmed and with spaces collapsed.
   */
  public record Agreement(
      @Default("0.5") @Range(min = 0, max = 1) double minShare, Optional<Pattern> answer)
      implements Check {
    @Override
    public String kind() {
      return "agreement";
    }
  }

  /** The answer contains a match of {@code pattern}. */
  public record Matches(Pattern pattern) implements Check {
    @Override
    public String kind() {
      return "regex";
    }
  }

  /** Every {@code a op b = c} the answer writes out holds, within a relative {@code tolerance}. */
  public record Arithmetic(@Default("1e-6") @Range(min = 0, max = 1) double tolerance)
      implements Check {
    @Override
    public String kind() {
      return "arithmetic";
    }
  }

  /**
   * The answer is JSON (a fenced block is unwrapped) valid against {@code schema}, JSON Schema
   * draft 2020-12 unless the schema names another.
   */
  public record JsonSchema(JsonNode schema, com.networknt.schema.JsonSchema compiled)
      implements Check {
    private static final JsonSchemaFactory FACTORY =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    /** Compiles a schema; one its meta-schema refuses fails with the reasons. */
    public static JsonSchema of(JsonNode schema) {
      if (!schema.isObject()) {
        throw new IllegalArgumentException("expected a JSON schema (a mapping)");
      }
      String meta = schema.path("$schema").asText("https://json-schema.org/draft/2020-12/schema");
      Set<ValidationMessage> problems;
      try {
        problems = FACTORY.getSchema(SchemaLocation.of(meta)).validate(schema);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot check the schema against " + meta + ": " + e.getMessage());
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "not a valid JSON schema: "
                + String.join(
                    "; ", problems.stream().map(ValidationMessage::getMessage).sorted().toList()));
      }
      return new JsonSchema(schema, FACTORY.getSchema(schema));
    }

    @Override
    public String kind() {
      return "json-schema";
    }
  }

  /**
   * The mean log-probability of the answer's tokens, as the upstream returns them, is at least
   * {@code minMean}.
   */
  public record LogProbs(@Default("-0.5") @Range(min = -1e6, max = 0) double minMean)
      implements Check {
    @Override
    public String kind() {
      return "logprobs";
    }
  }

  public boolean readsLogProbs() {
    return checks().stream().anyMatch(c -> c instanceof LogProbs);
  }
}
