package dev.signalbox.core.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Tells a plain chat.completion.chunk (one that only carries text) from the rest, with one pass of
 * the streaming parser and no tree: a plain chunk can be relayed as the upstream sent it. A chunk
 * is plain when it has one choice and no usage, finish reason, tool-call, function-call or error
 * value; its text is the first choice's {@code delta.content}.
 */
public final class PlainChunk {
  /** Fields whose non-null value makes a chunk one the gateway must read. */
  private static final Set<String> SIGNIFICANT =
      Set.of("usage", "finish_reason", "tool_calls", "function_call", "error");

  private PlainChunk() {}

  /** The chunk's text if it is plain ({@code ""} when it has none); empty if it is not. */
  public static Optional<String> text(String json) {
    String text = "";
    try (JsonParser parser = Json.MAPPER.getFactory().createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      boolean choices = false;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token != JsonToken.FIELD_NAME) {
          continue;
        }
        String name = parser.currentName();
        JsonStreamContext object = parser.getParsingContext(); // the object holding the field
        JsonToken value = parser.nextToken();
        if (SIGNIFICANT.contains(name) && value != JsonToken.VALUE_NULL) {
          return Optional.empty();
        }
        if (name.equals("choices") && object.getParent().inRoot()) {
          choices = true;
        }
        JsonStreamContext array = object.getParent();
        if (array.inArray() && array.getCurrentIndex() > 0 && inChoices(array)) {
          return Optional.empty(); // a second choice: the gateway follows only the first
        }
        if (name.equals("content") && value == JsonToken.VALUE_STRING && isFirstDelta(object)) {
          text = parser.getText();
        }
      }
      return choices ? Optional.of(text) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code context} (a value's enclosing object) is {@code choices[0].delta}. */
  private static boolean isFirstDelta(JsonStreamContext context) {
    JsonStreamContext choice = context.getParent();
    return "delta".equals(choice.getCurrentName())
        && choice.getParent() != null
        && choice.getParent().inArray()
        && choice.getParent().getCurrentIndex() == 0
        && inChoices(choice.getParent());
  }

  private static boolean inChoices(JsonStreamContext array) {
    JsonStreamContext root = array.getParent();
    return root != null
        && "choices".equals(root.getCurrentName())
        && root.getParent() != null
        && root.getParent().inRoot();
  }
}
