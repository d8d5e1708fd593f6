package dev.signalbox.core.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.api.SignalboxException;
import dev.signalbox.core.wire.ChatRequestParser;
import dev.signalbox.core.wire.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesRequestTest {
  private static ResponsesRequest of(String json) {
    return ResponsesRequest.of(Json.object(json), List.of());
  }

  @Test
  void aTextInputWithInstructionsIsASystemAndAUserMessage() {
    ResponsesRequest request =
        of(
            "{\"model\":\"auto\",\"instructions\":\"Be brief.\",\"input\":\"hi\","
                + "\"max_output_tokens\":50,\"temperature\":0.2,\"stream\":true}");
    ObjectNode chat = request.chat();
    assertThat(chat.path("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"Be"
                + " brief.\"},{\"role\":\"user\",\"content\":\"hi\"}]");
    assertThat(chat.path("max_tokens").asInt()).isEqualTo(50);
    assertThat(chat.path("temperature").asDouble()).isEqualTo(0.2);
    assertThat(chat.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(request.conversation()).hasSize(1);
    assertThat(ChatRequestParser.parse(chat).maxTokens()).hasValue(50);
  }

  @Test
  void itemsBecomeMessagesWithToolCallsJoinedToTheAssistantTurnBeforeThem() {
    ResponsesRequest request =
        of(
            """
            {"model":"auto","input":[
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"rules"}]},
              {"role":"user","content":[{"type":"input_text","text":"look"},
                {"type":"input_image","image_url":"data:image/png;base64,AA==","detail":"low"}]},
              {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"x"},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me run it."}]},
              {"type":"function_call","call_id":"c1","name":"exec_command","arguments":"{\\"cmd\\":\\"ls\\"}"},
              {"type":"custom_tool_call","call_id":"c2","name":"apply_patch","input":"*** Begin Patch"},
              {"type":"function_call_output","call_id":"c1","output":"a.txt"},
              {"type":"custom_tool_call_output","call_id":"c2","output":[{"type":"input_text","text":"done"}]}
            ]}
            """);
    JsonNode messages = request.chat().path("messages");
    assertThat(messages).hasSize(5);
    assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
    assertThat(messages.get(1).path("content").get(1).path("image_url").path("detail").asText())
        .isEqualTo("low");
    JsonNode assistant = messages.get(2);
    assertThat(assistant.path("content").asText()).isEqualTo("Let me run it.");
    assertThat(assistant.path("tool_calls")).hasSize(2);
    assertThat(assistant.path("tool_calls").get(1).path("function").path("arguments").asText())
        .isEqualTo("{\"input\":\"*** Begin Patch\"}");
    assertThat(messages.get(3).path("tool_call_id").asText()).isEqualTo("c1");
    assertThat(messages.get(4).path("content").asText()).isEqualTo("done");
    assertThat(ChatRequestParser.parse(request.chat()).messages()).hasSize(5);
  }

  @Test
  void functionAndCustomToolsAreFunctionsAndHostedToolsAreLeftOut() {
    ResponsesRequest request =
        of(
            """
            {"model":"auto","input":"x","tool_choice":{"type":"function","name":"f"},
             "tools":[{"type":"function","name":"f","parameters":{"type":"object"},"strict":true},
                      {"type":"custom","name":"apply_patch","description":"patch"},
                      {"type":"web_search"},
                      {"type":"namespace","name":"agents","tools":[]}],
             "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true}},
             "reasoning":{"effort":"low","summary":"auto"}}
            """);
    JsonNode tools = request.chat().path("tools");
    assertThat(tools).hasSize(2);
    assertThat(tools.get(0).path("function").path("strict").asBoolean()).isTrue();
    assertThat(tools.get(1).path("function").path("parameters").path("required").get(0).asText())
        .isEqualTo("input");
    assertThat(request.customTools()).containsExactly("apply_patch");
    assertThat(request.chat().path("tool_choice").path("function").path("name").asText())
        .isEqualTo("f");
    assertThat(request.chat().path("response_format").path("json_schema").path("name").asText())
        .isEqualTo("out");
    assertThat(request.chat().path("reasoning_effort").asText()).isEqualTo("low");
  }

  @Test
  void theHistoryOfAPreviousResponseComesFirst() {
    ObjectNode earlier = Json.object("{\"role\":\"user\",\"content\":\"first\"}");
    ObjectNode answer =
        Json.object(
            "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"one\"}]}");
    ResponsesRequest request =
        ResponsesRequest.of(
            Json.object("{\"model\":\"auto\",\"input\":\"second\"}"), List.of(earlier, answer));
    assertThat(request.chat().path("messages")).hasSize(3);
    assertThat(request.conversation()).hasSize(3);
  }

  @Test
  void badInputIsA400NamingTheField() {
    assertThatThrownBy(() -> of("{\"model\":\"auto\"}"))
        .isInstanceOf(SignalboxException.class)
        .hasMessageContaining("'input' is required");
    assertThatThrownBy(() -> of("{\"model\":\"auto\",\"input\":[{\"type\":\"item_reference\"}]}"))
        .isInstanceOfSatisfying(
            SignalboxException.class, e -> assertThat(e.param()).hasValue("input[0].type"));
    assertThatThrownBy(() -> of("{\"model\":\"auto\",\"input\":\"x\",\"max_output_tokens\":0}"))
        .isInstanceOfSatisfying(
            SignalboxException.class, e -> assertThat(e.param()).hasValue("max_output_tokens"));
    assertThatThrownBy(
            () ->
                of(
                    "{\"model\":\"auto\",\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}"))
        .isInstanceOfSatisfying(
            SignalboxException.class, e -> assertThat(e.param()).hasValue("input[0].call_id"));
  }
}
