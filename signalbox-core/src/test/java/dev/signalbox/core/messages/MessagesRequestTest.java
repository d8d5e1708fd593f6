package dev.signalbox.core.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import org.junit.jupiter.api.Test;

class MessagesRequestTest {
  private static JsonNode chat(String messagesBody) throws Exception {
    return MessagesRequest.toChat(Json.MAPPER.readTree(messagesBody));
  }

  @Test
  void aToolLoopBecomesToolCallsAndToolMessages() throws Exception {
    JsonNode chat =
        chat(
            """
            {"model": "auto", "max_tokens": 512, "stream": true,
             "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
             "metadata": {"user_id": "u-1"}, "stop_sequences": ["END"], "temperature": 0.2,
             "tools": [{"name": "read_file", "description": "Reads a file",
                        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}}],
             "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
             "messages": [
               {"role": "user", "content": "Read a.txt"},
               {"role": "assistant", "content": [
                 {"type": "thinking", "thinking": "I should read it", "signature": "sig"},
                 {"type": "text", "text": "Reading."},
                 {"type": "tool_use", "id": "toolu_1", "name": "read_file", "input": {"path": "a.txt"}}]},
               {"role": "user", "content": [
                 {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "hello"}]},
                 {"type": "text", "text": "Now summarise it"}]}]}
            """);
    assertThat(chat.path("max_tokens").asInt()).isEqualTo(512);
    assertThat(chat.path("user").asText()).isEqualTo("u-1");
    assertThat(chat.path("stop").get(0).asText()).isEqualTo("END");
    assertThat(chat.path("tool_choice").asText()).isEqualTo("required");
    assertThat(chat.path("parallel_tool_calls").asBoolean(true)).isFalse();
    assertThat(chat.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(chat.path("tools").get(0).path("function").path("parameters").path("type").asText())
        .isEqualTo("object");
    JsonNode messages = chat.path("messages");
    assertThat(messages).hasSize(5);
    assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
    assertThat(messages.get(0).path("content").asText()).isEqualTo("You are terse.");
    JsonNode call = messages.get(2).path("tool_calls").get(0);
    assertThat(messages.get(2).path("content").asText()).isEqualTo("Reading.");
    assertThat(call.path("id").asText()).isEqualTo("toolu_1");
    assertThat(Json.MAPPER.readTree(call.path("function").path("arguments").asText()))
        .isEqualTo(Json.object().put("path", "a.txt"));
    assertThat(messages.get(3).path("role").asText()).isEqualTo("tool");
    assertThat(messages.get(3).path("tool_call_id").asText()).isEqualTo("toolu_1");
    assertThat(messages.get(3).path("content").asText()).isEqualTo("hello");
    assertThat(messages.get(4).path("content").asText()).isEqualTo("Now summarise it");

    ChatRequest request =
        ChatRequestParser.parse((com.fasterxml.jackson.databind.node.ObjectNode) chat);
    assertThat(request.tools()).hasSize(1);
    assertThat(request.messages()).hasSize(5);
  }

  @Test
  void imagesBecomeImageParts() throws Exception {
    JsonNode chat =
        chat(
            """
            {"model": "auto", "max_tokens": 10, "messages": [{"role": "user", "content": [
              {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
              {"type": "text", "text": "What is this?"}]}]}
            """);
    JsonNode parts = chat.path("messages").get(0).path("content");
    assertThat(parts.get(0).path("image_url").path("url").asText())
        .isEqualTo("data:image/png;base64,iVBORw0KGgo=");
    assertThat(parts.get(1).path("text").asText()).isEqualTo("What is this?");
  }

  @Test
  void aBadRequestIsRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                chat(
                    "{\"model\": \"auto\", \"messages\": [{\"role\": \"user\", \"content\":"
                        + " \"x\"}]}"))
        .isInstanceOf(SignalboxException.class)
        .hasMessageContaining("max_tokens");
    assertThatThrownBy(
            () ->
                chat(
                    "{\"model\": \"auto\", \"max_tokens\": 5, \"messages\": [{\"role\": \"tool\","
                        + " \"content\": \"x\"}]}"))
        .hasMessageContaining("messages[0].role");
    assertThatThrownBy(
            () ->
                chat(
                    "{\"model\": \"auto\", \"max_tokens\": 5, \"tools\": [{\"type\":"
                        + " \"web_search_20250305\", \"name\": \"web_search\"}], \"messages\":"
                        + " [{\"role\": \"user\", \"content\": \"x\"}]}"))
        .hasMessageContaining("server tool");
  }
}
