package dev.signalbox.core.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import dev.signalbox.api.Usage;
import java.io.UncheckedIOException;

/** The one shared ObjectMapper and the OpenAI wire shapes the adapters build. */
public final class Json {
  public static final ObjectMapper MAPPER = mapperBuilder().build();

  /**
   * A mapper for the request path: buffers from the shared pool ({@link #factory}), and records
   * bound through Blackbird's lambdas rather than reflection, which the launcher sends through the
   * JVM's native accessors for a quicker start and which would cost a hot path far more.
   */
  public static JsonMapper.Builder mapperBuilder() {
    return JsonMapper.builder(factory()).addModule(new BlackbirdModule());
  }

  /**
   * A JSON factory for one mapper, recycling its buffers through one pool that every mapper shares.
   * Jackson's default pool keeps them per thread, and every request runs on a new virtual thread,
   * so each parse and each write allocated its buffers afresh (about 20 KB a request).
   */
  public static JsonFactory factory() {
    return JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build();
  }

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Parses text already known to be a JSON object (it was read once before). */
  public static ObjectNode object(String json) {
    try {
      return (ObjectNode) MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String text(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** OpenAI's usage object. */
  public static ObjectNode usage(Usage usage) {
    return MAPPER.valueToTree(Completions.UsageBody.of(usage));
  }

  /** Reads OpenAI's usage object; null when absent. */
  public static Usage readUsage(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    return new Usage(
        Math.max(0, node.path("prompt_tokens").asLong(0)),
        Math.max(0, node.path("prompt_tokens_details").path("cached_tokens").asLong(0)),
        Math.max(0, node.path("completion_tokens").asLong(0)),
        false);
  }

  /** The skeleton of a chat.completion.chunk with one choice. */
  public static ObjectNode chunk(String id, long created, String model) {
    ObjectNode chunk = object();
    chunk.put("id", id);
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", created);
    chunk.put("model", model);
    return chunk;
  }

  /** Adds {"index":0,"delta":{...},"finish_reason":...} to a chunk and returns the delta. */
  public static ObjectNode choiceDelta(ObjectNode chunk, String finishReason) {
    ArrayNode choices = chunk.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    ObjectNode delta = choice.putObject("delta");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return delta;
  }
}
