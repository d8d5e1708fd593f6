package dev.signalbox.api;

import java.util.Objects;

/**
 * A function call an assistant made: its id, the function name and the arguments as a JSON string.
 */
public record ToolCall(String id, String name, String arguments) {
  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arguments, "arguments");
  }
}
