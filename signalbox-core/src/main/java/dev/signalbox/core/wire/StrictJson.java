package dev.signalbox.core.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ErrorKind;
import dev.signalbox.api.SignalboxException;
import java.io.IOException;

/**
 * A request body read strictly: UTF-8 only (no overlong forms, no UTF-16 or UTF-32 guessed at), one
 * JSON object with nothing after it, no key twice in an object. Every refusal is a 400 in words for
 * the client.
 */
public final class StrictJson {
  private static final ObjectReader TREE =
      JsonMapper.builder(Json.factory())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build()
          .reader();

  private StrictJson() {}

  /**
   * The body's JSON object.
   *
   * @param shape how the object should look, said when the body is another JSON value
   */
  public static ObjectNode object(byte[] body, String shape) {
    int malformed = Utf8.firstMalformed(body);
    if (malformed >= 0) {
      throw new SignalboxException(
          ErrorKind.INVALID_REQUEST,
          "The request body is not well-formed UTF-8 JSON text (byte "
              + malformed
              + "); send JSON in UTF-8.",
          null,
          "invalid_json");
    }
    JsonNode root;
    try {
      root = TREE.readTree(body);
    } catch (JsonProcessingException e) {
      throw new SignalboxException(
          ErrorKind.INVALID_REQUEST,
          "We could not parse the JSON body of your request: " + JsonErrors.describe(e),
          null,
          "invalid_json");
    } catch (IOException e) {
      throw new SignalboxException(
          ErrorKind.INVALID_REQUEST, "We could not read the request body.", null, "invalid_json");
    }
    if (root == null || !root.isObject()) {
      throw SignalboxException.invalid(
          null, "The request body must be a JSON object" + shape + ".");
    }
    return (ObjectNode) root;
  }
}
