package dev.signalbox.core.wire;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.SignalboxException;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * Parses an OpenAI chat completions body: Jackson binds it to {@link ChatCompletionRequest}, whose
 * records check it as OpenAI does; a bad field fails with a 400 that names its JSON path, in
 * OpenAI's words, never the parser's.
 */
public final class ChatRequestParser {
  private static final ObjectReader READER =
      Json.mapperBuilder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .withCoercionConfig(
              LogicalType.Textual,
              config ->
                  config
                      .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .build()
          .readerFor(ChatCompletionRequest.class);

  private ChatRequestParser() {}

  public static ChatRequest parse(byte[] body) {
    return parse(StrictJson.object(body, ""));
  }

  /** A request already read as JSON (a translated one, say), checked and bound the same way. */
  public static ChatRequest parse(ObjectNode root) {
    ChatCompletionRequest bound;
    try {
      bound = READER.readValue(root);
    } catch (JsonMappingException e) {
      throw refusal(e, root);
    } catch (WireProblem problem) {
      throw problem.at(problem.key());
    } catch (IOException e) {
      throw SignalboxException.invalid(null, "The request body could not be read as a request.");
    }
    return bound.toRequest(root);
  }

  /** The 400 for a value the records refused, at its JSON path. */
  private static SignalboxException refusal(JsonMappingException e, JsonNode root) {
    String path = path(e);
    Throwable cause = e.getCause();
    while (cause != null && !(cause instanceof WireProblem)) {
      cause = cause.getCause();
    }
    if (cause instanceof WireProblem problem) {
      return problem.at(join(path, problem.key()));
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      JsonNode value = valueAt(root, e);
      if (value.isIntegralNumber() && expected(mismatch.getTargetType()).equals("an integer")) {
        return SignalboxException.invalid(
            path,
            "Invalid '"
                + path
                + "': "
                + Truncated.of(value.asText(), 40)
                + " is out of range (at most "
                + Integer.MAX_VALUE
                + ").");
      }
      String got = JsonNodes.describe(value);
      return WireProblem.invalidType("", expected(mismatch.getTargetType()), got).at(path);
    }
    return SignalboxException.invalid(
        path.isEmpty() ? null : path, "Invalid value for '" + path + "'.");
  }

  /** The value the exception's path leads to in the body. */
  private static JsonNode valueAt(JsonNode root, JsonMappingException e) {
    JsonNode node = root;
    for (JsonMappingException.Reference reference : e.getPath()) {
      node =
          reference.getIndex() >= 0
              ? node.path(reference.getIndex())
              : node.path(reference.getFieldName());
    }
    return node;
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      } else if (reference.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
      }
    }
    return path.toString();
  }

  private static String join(String path, String key) {
    if (key.isEmpty()) {
      return path;
    }
    return path.isEmpty() || key.startsWith("[") ? path + key : path + "." + key;
  }

  private static String expected(Class<?> target) {
    if (target == String.class) {
      return "a string";
    }
    if (target == Long.class
        || target == Integer.class
        || target == long.class
        || target == int.class) {
      return "an integer";
    }
    if (target == Double.class || target == double.class) {
      return "a number";
    }
    if (target == Boolean.class || target == boolean.class) {
      return "a boolean";
    }
    if (Collection.class.isAssignableFrom(target) || target.isArray()) {
      return "an array";
    }
    if (Map.class.isAssignableFrom(target) || target.isRecord() || target == ObjectNode.class) {
      return "an object";
    }
    return "a valid value";
  }
}
