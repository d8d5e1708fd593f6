package dev.signalbox.core.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.core.wire.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/** OpenAI's {@code embedding.list} answer. */
public final class EmbeddingsReply {
  private EmbeddingsReply() {}

  /**
   * The answer to {@code request} from vectors; base64 when the request asked for it (float32,
   * little-endian, as OpenAI encodes them).
   */
  public static ObjectNode of(
      JsonNode request, List<float[]> vectors, String model, long promptTokens) {
    boolean base64 = request.path("encoding_format").asText("float").equals("base64");
    ObjectNode answer = Json.object().put("object", "list");
    ArrayNode data = answer.putArray("data");
    for (int i = 0; i < vectors.size(); i++) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        item.put("embedding", base64(vectors.get(i)));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float v : vectors.get(i)) {
          values.add(v);
        }
      }
    }
    answer.put("model", model);
    answer.set("usage", usage(promptTokens));
    return answer;
  }

  /** Usage as the embeddings API reports it. */
  public static ObjectNode usage(long promptTokens) {
    return Json.object().put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
  }

  static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : vector) {
      bytes.putFloat(v);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
