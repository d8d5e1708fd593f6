package dev.signalbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A function the model may call: name, description ("" when absent) and a JSON schema of
 * parameters.
 */
public record ToolDefinition(String name, String description, JsonNode parameters) {
  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(parameters, "parameters");
  }
}
