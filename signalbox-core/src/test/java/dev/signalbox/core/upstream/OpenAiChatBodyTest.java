package dev.signalbox.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The body an OpenAI-compatible upstream receives, built without copying the client's messages. */
class OpenAiChatBodyTest {
  private static final List<String> BODIES =
      List.of(
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.2}",
          "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}],"
              + "\"model\":\"m\",\"logit_bias\":{\"50256\":-100},\"stream\":true}",
          "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":false,"
              + "\"extra\":1},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":1}",
          "{\"model\":\"m\",\"stream\":true,\"stream_options\":null,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          "{\"model\":\"m\",\"stream\":false,\"stream_options\":{\"include_usage\":true},"
              + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
              + "{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
              + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]}");

  @Test
  void isTheClientsBodyWithTheUpstreamsModelAndAUsageRequestWhenStreaming() {
    for (String text : BODIES) {
      ChatRequest request = parse(text);
      assertThat(new String(OpenAiUpstream.chatBody(request, "up-model"), StandardCharsets.UTF_8))
          .as(text)
          .isEqualTo(Json.text(editedCopy(request, "up-model")));
    }
  }

  @Test
  void leavesTheClientsBodyAsItWas() {
    for (String text : BODIES) {
      ChatRequest request = parse(text);
      ObjectNode before = request.raw().deepCopy();
      OpenAiUpstream.chatBody(request, "up-model");
      assertThat(request.raw()).as(text).isEqualTo(before);
    }
  }

  /** The body as the adapter built it before: a deep copy of the client's, then edited. */
  private static ObjectNode editedCopy(ChatRequest request, String model) {
    ObjectNode body = request.raw().deepCopy();
    body.put("model", model);
    if (request.stream()) {
      body.withObject("/stream_options").put("include_usage", true);
    }
    return body;
  }

  private static ChatRequest parse(String text) {
    return ChatRequestParser.parse(text.getBytes(StandardCharsets.UTF_8));
  }
}
