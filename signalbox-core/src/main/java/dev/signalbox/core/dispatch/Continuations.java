package dev.signalbox.core.dispatch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.core.config.Provider;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;

/**
 * The request that continues a broken text answer: the conversation with the text so far as a final
 * assistant message.
 */
final class Continuations {
  private Continuations() {}

  static ChatRequest request(ChatRequest original, String partial, Provider provider) {
    ObjectNode body = original.raw().deepCopy();
    if (!partial.isEmpty()) {
      ArrayNode messages = (ArrayNode) body.get("messages");
      messages.addObject().put("role", "assistant").put("content", partial);
      if (provider == Provider.OPENAI) {
        // vLLM's switches for continuing the final assistant message instead of answering after it.
        body.put("continue_final_message", true);
        body.put("add_generation_prompt", false);
      }
    }
    return ChatRequestParser.parse(Json.bytes(body));
  }
}
