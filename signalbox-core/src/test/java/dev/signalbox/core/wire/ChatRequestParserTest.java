package dev.signalbox.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.ContentPart;
import dev.signalbox.api.ResponseFormat;
import dev.signalbox.api.Role;
import dev.signalbox.api.SignalboxException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(5)
class ChatRequestParserTest {
  private static ChatRequest parse(String json) {
    return ChatRequestParser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsEveryRoleContentPartsToolsAndOptions() {
    ChatRequest r =
        parse(
            """
            {"model":"auto","stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":64,
             "temperature":0.2,"stop":"END","n":1,"user":"u1","metadata":{"session_id":"s1"},"seed":7,
             "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}},
             "tools":[{"type":"function","function":{"name":"lookup","description":"find","parameters":{"type":"object"}}}],
             "tool_choice":"auto",
             "messages":[
               {"role":"system","content":"be brief"},
               {"role":"user","content":[{"type":"text","text":"what is"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAA","detail":"low"}}]},
               {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{\\"q\\":1}"}}]},
               {"role":"tool","tool_call_id":"c1","content":"42"}]}
            """);
    assertThat(r.stream()).isTrue();
    assertThat(r.includeUsage()).isTrue();
    assertThat(r.maxTokens()).hasValue(64);
    assertThat(r.stop()).containsExactly("END");
    assertThat(r.responseFormat()).isEqualTo(ResponseFormat.JSON_SCHEMA);
    assertThat(r.tools()).singleElement().satisfies(t -> assertThat(t.name()).isEqualTo("lookup"));
    assertThat(r.messages())
        .extracting(m -> m.role())
        .containsExactly(Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.TOOL);
    assertThat(r.messages().get(1).content())
        .containsExactly(
            new ContentPart.Text("what is"),
            new ContentPart.Image("data:image/png;base64,AAA", "low"));
    assertThat(r.messages().get(2).toolCalls())
        .singleElement()
        .satisfies(c -> assertThat(c.arguments()).isEqualTo("{\"q\":1}"));
    assertThat(r.metadata()).containsEntry("session_id", "s1");
    assertThat(r.raw().get("seed").asInt())
        .as("unknown fields are kept for pass-through")
        .isEqualTo(7);
    assertThat(r.hasImages()).isTrue();
    assertThat(r.usesTools()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          missing model        | {"messages":[{"role":"user","content":"x"}]}                        | model                  | Missing required parameter: 'model'.
          model not a string   | {"model":5,"messages":[]}                                            | model                  | Invalid type for 'model': expected a string, but got an integer instead.
          messages missing     | {"model":"a"}                                                        | messages               | Missing required parameter: 'messages'.
          messages empty       | {"model":"a","messages":[]}                                          | messages               | 'messages' must contain at least one message.
          bad role             | {"model":"a","messages":[{"role":"robot","content":"x"}]}            | messages[0].role       | Invalid value for 'messages[0].role': 'robot'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool' and 'function'.
          content wrong type   | {"model":"a","messages":[{"role":"user","content":5}]}               | messages[0].content    | Invalid type for 'messages[0].content': expected a string or an array of content parts, but got an integer instead.
          tool without id      | {"model":"a","messages":[{"role":"tool","content":"x"}]}             | messages[0].tool_call_id | Missing required parameter: 'messages[0].tool_call_id'.
          max_tokens zero      | {"model":"a","max_tokens":0,"messages":[{"role":"user","content":"x"}]} | max_tokens          | Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.
          stream not boolean   | {"model":"a","stream":"yes","messages":[{"role":"user","content":"x"}]} | stream              | Invalid type for 'stream': expected a boolean, but got a string instead.
          temperature range    | {"model":"a","temperature":3,"messages":[{"role":"user","content":"x"}]} | temperature         | 'temperature' must be between 0 and 2, got 3.
          tool without name    | {"model":"a","tools":[{"type":"function","function":{}}],"messages":[{"role":"user","content":"x"}]} | tools[0].function.name | Missing required parameter: 'tools[0].function.name'.
          bad response format  | {"model":"a","response_format":{"type":"xml"},"messages":[{"role":"user","content":"x"}]} | response_format.type | Invalid value for 'response_format.type': 'xml'. Supported values are: 'text', 'json_object' and 'json_schema'.
          """)
  void aBadFieldIsA400NamingIt(String name, String json, String param, String message) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(
            SignalboxException.class,
            e -> {
              assertThat(e.kind().httpStatus()).isEqualTo(400);
              assertThat(e.param()).contains(param);
              assertThat(e.getMessage()).isEqualTo(message);
            });
  }

  @Test
  void malformedJsonIsA400WithWhere() {
    assertThatThrownBy(() -> parse("{\"model\": \"a\","))
        .isInstanceOfSatisfying(
            SignalboxException.class,
            e -> {
              assertThat(e.code()).contains("invalid_json");
              assertThat(e.getMessage())
                  .startsWith("We could not parse the JSON body of your request:")
                  .contains("line 1");
            });
    assertThatThrownBy(() -> parse("[1,2]")).hasMessage("The request body must be a JSON object.");
  }

  private static SignalboxException refusal(byte[] body) {
    try {
      ChatRequestParser.parse(body);
    } catch (SignalboxException e) {
      return e;
    }
    throw new AssertionError("accepted: " + new String(body, StandardCharsets.ISO_8859_1));
  }

  private static final String OK =
      "{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void onlyStrictJsonIsAccepted() {
    assertThat(refusal((OK + " {}").getBytes(StandardCharsets.UTF_8)).getMessage())
        .contains("trailing data")
        .doesNotContain("jackson");
    assertThat(
            refusal(
                    OK.replace("{\"model\":\"a\",", "{\"model\":\"a\",\"model\":\"b\",")
                        .getBytes(StandardCharsets.UTF_8))
                .getMessage())
        .contains("Duplicate field 'model'");
    byte[] overlong = OK.replace("hi", "h__").getBytes(StandardCharsets.UTF_8);
    int at = OK.indexOf("hi") + 1;
    overlong[at] = (byte) 0xC0;
    overlong[at + 1] = (byte) 0xAF;
    assertThat(refusal(overlong).getMessage()).contains("UTF-8").contains("byte " + at);
    assertThat(refusal(OK.getBytes(StandardCharsets.UTF_16LE)).code()).contains("invalid_json");
    assertThat(refusal(OK.getBytes(StandardCharsets.UTF_16BE)).getMessage()).contains("UTF-8");
  }

  @Test
  void parserErrorsNameNoParserInternals() {
    String deep = "[".repeat(5_000) + "]".repeat(5_000);
    SignalboxException tooDeep =
        refusal(("{\"model\":\"a\",\"x\":" + deep + "}").getBytes(StandardCharsets.UTF_8));
    assertThat(tooDeep.getMessage())
        .contains("nested more than 1000 levels")
        .doesNotContain("StreamReadConstraints")
        .doesNotContain("jackson");
    SignalboxException garbage = refusal("{\"model\": nope}".getBytes(StandardCharsets.UTF_8));
    assertThat(garbage.getMessage())
        .startsWith("We could not parse the JSON body of your request:")
        .contains("line 1")
        .doesNotContain("JsonReadFeature")
        .doesNotContain("code ");
  }

  @Test
  void anIntegerOutOfRangeSaysSo() {
    SignalboxException e =
        refusal(
            OK.replace("{\"model\"", "{\"max_tokens\":2147483648,\"model\"")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(e.getMessage())
        .contains("2147483648")
        .contains("2147483647")
        .doesNotContain("got an integer");
  }
}
