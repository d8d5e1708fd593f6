package dev.signalbox.core.config;

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
 * @param checks in the order they are reported; all must pass
 */
public record CascadeSpec(int samples, OptionalDouble sampleTemperature, List<Check> checks) {
  public static final CascadeSpec NONE = new CascadeSpec(1, OptionalDouble.empty(), List.of());

  public CascadeSpec {
    Objects.requireNonNull(sampleTemperature);
    checks = List.copyOf(checks);
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
  public record Agreement(double minShare, Optional<Pattern> answer) implements Check {
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
  public record Arithmetic(double tolerance) implements Check {
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
  public record LogProbs(double minMean) implements Check {
    @Override
    public String kind() {
      return "logprobs";
    }
  }

  public boolean readsLogProbs() {
    return checks.stream().anyMatch(c -> c instanceof LogProbs);
  }
}
